"""The exported lesson on a real distributed engine, and its checkpoint back in Lectern.

    python bench/distributed.py [--rows 200] [--launchers torchrun accelerate] [--work DIR]

Run with the reference environment's Python (`make distributed`, which provides it): PyTorch,
transformers and accelerate. Not part of CI, which has no PyTorch. Takes about 5 minutes on 2 cores
(rows=200: 160 training articles padded to 512 tokens, 10 DDP steps of 2 × 8).

For each launcher:
1. The course notebook, pointed at the local AG News files (it names the Hub's `ag_news`, which
   this machine cannot reach), is exported with `lectern export --python` and run unchanged with
   `torchrun --standalone --nproc_per_node=2` or `accelerate launch --multi_gpu --num_processes 2`:
   PyTorch DDP over two processes with the gloo backend. `ACCELERATE_USE_CPU=true` is what makes
   the Trainer use DDP on a CPU (without it, each process trains alone; on GPUs it is not needed).
2. The checkpoint the run wrote is read by a Lectern notebook (`load` the same split, `tokenize`
   with the checkpoint, `evaluate` and `predict` with `model:` the checkpoint).
3. Checked: the accuracy and confusion matrix the script printed equal Lectern's on the checkpoint,
   and the predicted label and score of the lesson's sentence agree (score within 1e-3).
Prints a Markdown table; writes everything to --work (default: a temporary folder).
"""
import argparse
import ast
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

from common import AG_NEWS, LECTERN, MODEL, ROOT

LESSON = ROOT / "notebooks" / "fine-tuning-bert.md"
SENTENCE = "Google stock surged after revealing new advancements in quantum computing and AI."


def launch_command(launcher, python):
    bin_folder = pathlib.Path(python).parent
    if launcher == "torchrun":
        return [bin_folder / "torchrun", "--standalone", "--nproc_per_node=2", "lesson.py"]
    return [bin_folder / "accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
            "--mixed_precision", "no", "--dynamo_backend", "no", "lesson.py"]


def printed_results(stdout):
    """What the exported script printed: the evaluation metrics, the confusion matrix, the Trainer's
    eval log, and the prediction of the lesson's sentence. Both processes print the same lines into
    one pipe, sometimes run together ("{...}{...}"), so each is found by pattern, the first taken."""
    metrics = ast.literal_eval(re.search(r"\{'accuracy': [^{}]*\}", stdout).group(0))
    log = ast.literal_eval(re.search(r"\{'eval_loss': [^{}]*\}", stdout).group(0))
    rows = re.search(r"\[\[[\d\s\[\]]+?\]\]", stdout).group(0)
    matrix = [[int(x) for x in row.split()] for row in re.findall(r"\[([\d\s]+)\]", rows)]
    labels = "|".join(re.escape(name) for name in (AG_NEWS / "classes.txt").read_text().split("\n") if name)
    label, score = re.search(rf"({labels}) \(([\d.]+)\): Google", stdout).groups()
    return {"metrics": metrics, "eval_loss": float(log["eval_loss"]), "confusion_matrix": matrix, "label": label, "score": float(score)}


def lectern_results(work, checkpoint, rows):
    notebook = work / "check.md"
    notebook.write_text(f"""```load
dataset: {AG_NEWS}
split: train[:{rows}]
test_size: 0.2
seed: 42
```

```tokenize
model: {checkpoint}
padding: max_length
truncation: true
```

```evaluate
model: {checkpoint}
split: test
metrics: [accuracy, precision, recall, f1]
average: micro
```

```predict
model: {checkpoint}
text: {SENTENCE}
```
""")
    subprocess.run([LECTERN, "run", notebook, "--out", work / "lectern", "--quiet"], check=True)
    transcript = json.loads((work / "lectern" / "check.json").read_text())
    cells = {cell.get("directive"): cell for cell in transcript["cells"] if cell.get("directive")}
    evaluate, predict = cells["evaluate"]["outputs"], cells["predict"]["outputs"]["predictions"][0]
    return {"metrics": evaluate["metrics"], "confusion_matrix": evaluate["confusion_matrix"],
            "label": predict["label"], "score": predict["score"]}


def round_trip(launcher, args, python):
    work = args.work / launcher
    work.mkdir(parents=True, exist_ok=True)
    lesson = work / "lesson.md"
    lesson.write_text(LESSON.read_text().replace("dataset: ag_news\n", f"dataset: {AG_NEWS}\n"))
    subprocess.run([LECTERN, "export", lesson, "--python", "--set", f"model={MODEL}", "--set", f"rows={args.rows}",
                    "--out", work], check=True, stdout=subprocess.DEVNULL)
    environment = {**os.environ, "ACCELERATE_USE_CPU": "true", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    print(f"{launcher}: training (2 processes) ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    run = subprocess.run([str(part) for part in launch_command(launcher, python)], cwd=work, env=environment,
                         capture_output=True, text=True)
    seconds = time.monotonic() - started
    (work / "stdout.txt").write_text(run.stdout)
    (work / "stderr.txt").write_text(run.stderr)
    if run.returncode != 0:
        sys.exit(f"{launcher} failed (status {run.returncode}); see {work}/stderr.txt:\n{run.stderr[-2000:]}")
    checkpoints = sorted((work / "results" / "fine-tuning-bert").glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    checkpoint = checkpoints[-1]
    ranks = len(list(checkpoint.glob("rng_state_*.pth")))
    python_side = printed_results(run.stdout)
    lectern_side = lectern_results(work, checkpoint, args.rows)
    return {"launcher": launcher, "seconds": seconds, "processes": ranks, "checkpoint": checkpoint.name,
            "python": python_side, "lectern": lectern_side,
            "accuracy_equal": python_side["metrics"]["accuracy"] == lectern_side["metrics"]["eval_accuracy"],
            "confusion_equal": python_side["confusion_matrix"] == lectern_side["confusion_matrix"],
            "prediction_equal": python_side["label"] == lectern_side["label"] and abs(python_side["score"] - lectern_side["score"]) < 1e-3}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--launchers", nargs="+", default=["torchrun", "accelerate"], choices=["torchrun", "accelerate"])
    parser.add_argument("--work", type=pathlib.Path, default=None)
    parser.add_argument("--python", default=sys.executable, help="the reference environment's Python (its bin/ has torchrun and accelerate)")
    args = parser.parse_args()
    args.work = args.work or pathlib.Path(tempfile.mkdtemp(prefix="lectern-distributed-"))
    results = [round_trip(launcher, args, args.python) for launcher in args.launchers]
    (args.work / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print("| launcher | processes | wall time | checkpoint | accuracy (script / Lectern) | confusion matrix | prediction (script / Lectern) | eval_loss (Trainer log / Lectern) |")
    print("| --- | ---: | ---: | --- | --- | --- | --- | --- |")
    for r in results:
        p, l = r["python"], r["lectern"]
        print(f"| {r['launcher']} | {r['processes']} | {r['seconds']:.0f} s | {r['checkpoint']} | {p['metrics']['accuracy']:.4f} / "
              f"{l['metrics']['eval_accuracy']:.4f} | {'equal' if r['confusion_equal'] else 'DIFFERENT'} | {p['label']} {p['score']:.4f} / "
              f"{l['label']} {l['score']:.4f} | {p['eval_loss']:.4f} / {l['metrics']['eval_loss']:.4f} |")
    print(f"\n(work folder: {args.work})")
    failed = [r["launcher"] for r in results if not (r["accuracy_equal"] and r["confusion_equal"] and r["prediction_equal"] and r["processes"] == 2)]
    if failed:
        sys.exit(f"round trip failed for: {', '.join(failed)}")


if __name__ == "__main__":
    main()
