"""The training benchmarks, one run of one system each: the course notebook with Lectern, the
same configuration with the Hugging Face Trainer (bench/reference_train.py), Lectern's training
steps alone (`lectern-bench training`), and the larger configuration (bench/ag-news-10k.md)."""
import json
import pathlib
import tempfile

from common import AG_NEWS, BERT_BASE, LECTERN, LECTERN_BENCH, MODEL, ROOT, run_json

LARGE_ROWS = 10_000


def notebook(path, settings):
    """Runs a notebook with `lectern run --no-cache` (every cell computes); returns its cells by
    directive and the run's peak RSS."""
    with tempfile.TemporaryDirectory() as out:
        command = [LECTERN, "run", path, "--no-cache", "--out", out, "--quiet"]
        for key, value in settings.items():
            command += ["--set", f"{key}={value}"]
        rss = run_json(command)["process_peak_rss_mb"]
        transcript = json.loads(pathlib.Path(out, pathlib.Path(path).stem + ".json").read_text())
    return {cell["directive"]: cell["outputs"] for cell in transcript["cells"] if "directive" in cell}, rss


def lectern_course(seed, model=None):
    cells, rss = notebook(ROOT / "notebooks" / "fine-tuning-bert.md", {"seed": seed, **({"model": model} if model else {})})
    train, evaluate = cells["train"]["metrics"], cells["evaluate"]["metrics"]
    split = cells["tokenize"]["splits"]["train"]
    return {"seed": seed, "train_samples_per_second": train["train_samples_per_second"], "train_runtime": train["train_runtime"],
            "eval_accuracy": evaluate["eval_accuracy"], "eval_loss": evaluate["eval_loss"],
            "eval_samples_per_second": evaluate["eval_samples_per_second"], "peak_rss_mb": rss,
            "mean_tokens": split["mean_tokens"], "train_texts": split["num_texts"]}


def trainer(python, seed, padding, train_rows=None, model=MODEL, bf16=False):
    command = [python, ROOT / "bench" / "reference_train.py", AG_NEWS, model, seed, padding] + ([train_rows] if train_rows else []) \
        + (["--bf16"] if bf16 else [])
    result = run_json(command)
    result["peak_rss_mb"] = result["process_peak_rss_mb"]
    return result


def lectern_steps(seed):
    """The course configuration's 100 optimizer steps timed alone, with their FLOPs."""
    return run_json([LECTERN_BENCH, "training", AG_NEWS, "all-MiniLM-L6-v2", seed])


def lectern_precisions(seed):
    """notebooks/mixed-precision.md: the course configuration in float32, then with `bf16: true`, in one run."""
    with tempfile.TemporaryDirectory() as out:
        rss = run_json([LECTERN, "run", ROOT / "notebooks" / "mixed-precision.md", "--no-cache", "--out", out, "--quiet",
                        "--set", f"seed={seed}"])["process_peak_rss_mb"]
        transcript = json.loads(pathlib.Path(out, "mixed-precision.json").read_text())
    cells = [cell for cell in transcript["cells"] if cell.get("directive") in ("train", "evaluate")]
    runs = {}
    for name, (train, evaluate) in zip(["float32", "bf16"], [cells[0:2], cells[2:4]]):
        t, e = train["outputs"]["metrics"], evaluate["outputs"]["metrics"]
        runs[name] = {"seed": seed, "train_samples_per_second": t["train_samples_per_second"], "train_runtime": t["train_runtime"],
                      "eval_accuracy": e["eval_accuracy"], "eval_loss": e["eval_loss"], "eval_samples_per_second": e["eval_samples_per_second"]}
    runs["bf16"]["peak_rss_mb"] = rss
    runs["precision"] = transcript["run"].get("precision", "")
    return runs


def lectern_large(bf16=False):
    cells, rss = notebook(ROOT / "bench" / "ag-news-10k.md", {"rows": LARGE_ROWS, "bf16": "true" if bf16 else "false"})
    train, evaluate = cells["train"]["metrics"], cells["evaluate"]["metrics"]
    return {"train_rows": cells["load"]["num_rows"]["train"], "eval_rows": cells["load"]["num_rows"]["test"],
            "train_runtime": train["train_runtime"], "train_samples_per_second": train["train_samples_per_second"],
            "eval_runtime": evaluate["eval_runtime"], "eval_samples_per_second": evaluate["eval_samples_per_second"],
            "eval_accuracy": evaluate["eval_accuracy"], "eval_f1": evaluate["eval_f1"], "eval_loss": evaluate["eval_loss"],
            "peak_rss_mb": rss}


def bert_base(python):
    """The bert-base-shaped model with random weights (bench/make_bert_base.py), made once per machine."""
    folder = BERT_BASE
    if not (folder / "model.safetensors").exists():
        run_json([python, ROOT / "bench" / "make_bert_base.py", folder, MODEL])
    return folder


def trainer_large(python):
    return trainer(python, 42, "longest", LARGE_ROWS)
