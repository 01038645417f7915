"""Runs Lectern and the Hugging Face reference side by side and writes docs/performance.md.

    python bench/run_bench.py [--runs 3] [--seeds 42 43 44] [--only SECTION ...]

Sections: tokenizer, inference, training (the course configuration over three seeds, the
lesson's padding to 512 once, the training steps alone, the sgemm peak), base (the course
configuration with a bert-base-shaped model), large (10,000 training articles, 7,600 test
articles, once each), bf16 (`bf16: true` against Lectern in float32 and the Trainer with
`bf16=True`: the course configuration over three seeds, inference, the larger configuration
once, the matrix products one by one). Run through `make bench` (about an hour), which builds Lectern in release
mode and provides the reference environment (PyTorch, transformers, tokenizers) outside the
repository. Runs alternate between the two systems (A B A B ...) in one invocation; the report
gives medians and the ratio of the same run.

Out of the box: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the environment (the
report says when they were set), so Lectern's own kernel choice is measured. The machine comes
from `lectern doctor --json`. Each machine class keeps its own section: the run writes
bench/results/CLASS.md and .json, and docs/performance.md is assembled from every section there,
newest first. With --only, the section goes to output/performance-partial.md instead.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import statistics
import sys

import training
from common import AG_NEWS, BBC, LECTERN, LECTERN_BENCH, MODEL, ROOT, alternate, machine_class, median, run_json

SECTIONS = ["tokenizer", "inference", "training", "base", "large", "bf16"]
# Set on some machines of the project's workplace for older OpenBLAS builds; the bench measures Lectern out of the box.
REMOVED = {name: os.environ.pop(name) for name in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] if name in os.environ}
RESULTS = ROOT / "bench" / "results"


def measure(arguments):
    python, runs, results = arguments.python, arguments.runs, {}
    if "tokenizer" in arguments.only:
        results["tokenizer"] = alternate(
            "tokenizer",
            lambda _: run_json([LECTERN_BENCH, "tokenizer", AG_NEWS, BBC]),
            lambda _: run_json([python, ROOT / "bench" / "reference.py", "tokenizer", AG_NEWS, MODEL, BBC], {"RAYON_NUM_THREADS": "1"}),
            runs)
    if "inference" in arguments.only:
        results["inference"] = alternate(
            "inference",
            lambda _: run_json([LECTERN_BENCH, "inference", AG_NEWS, "all-MiniLM-L6-v2", "32", "128", "2"]),
            lambda _: run_json([python, ROOT / "bench" / "reference.py", "inference", AG_NEWS, MODEL, "32", "128", "2"]),
            runs)
    if "training" in arguments.only:
        seeds = arguments.seeds
        results["training"] = alternate(
            "training (course configuration)",
            lambda index: training.lectern_course(seeds[index % len(seeds)]),
            lambda index: training.trainer(python, seeds[index % len(seeds)], "longest"),
            len(seeds))
        print("training: the lesson's padding to 512 tokens", file=sys.stderr, flush=True)
        results["training"]["reference_padded"] = [training.trainer(python, seeds[0], "max_length")]
        print("training: the steps alone, and the sgemm peak", file=sys.stderr, flush=True)
        # Each steps run right after a peak measurement: the machine's speed drifts by ±10% over
        # minutes (other tenants of the host), so the share is taken pair by pair, in the same minute.
        results["training"]["peak"], results["training"]["lectern_steps"] = [], []
        for seed in seeds:
            results["training"]["peak"].append(run_json([LECTERN_BENCH, "peak", "2"]))
            results["training"]["lectern_steps"].append(training.lectern_steps(seed))
    if "base" in arguments.only:
        folder = training.bert_base(python)
        results["base"] = alternate(
            "base (bert-base-shaped, random weights)",
            lambda _: training.lectern_course(42, str(folder)),
            lambda _: training.trainer(python, 42, "longest", model=folder),
            1)
    if "large" in arguments.only:
        print("large: Lectern", file=sys.stderr, flush=True)
        lectern = training.lectern_large()
        print("large: Trainer", file=sys.stderr, flush=True)
        results["large"] = {"lectern": [lectern], "reference": [training.trainer_large(python)]}
    if "bf16" in arguments.only:
        seeds = arguments.seeds
        course = alternate(
            "bf16 (course configuration: Lectern float32 and bf16 in one run, the Trainer with bf16=True)",
            lambda index: training.lectern_precisions(seeds[index % len(seeds)]),
            lambda index: training.trainer(python, seeds[index % len(seeds)], "longest", bf16=True),
            len(seeds))
        lectern_inference = lambda precision: run_json([LECTERN_BENCH, "inference", AG_NEWS, "all-MiniLM-L6-v2", "32", "128", "2", precision])
        inference = alternate(
            "bf16 inference",
            lambda _: {"float32": lectern_inference("float32"), "bf16": lectern_inference("bf16")},
            lambda _: run_json([python, ROOT / "bench" / "reference.py", "inference", AG_NEWS, MODEL, "32", "128", "2", "--bf16"]),
            runs)
        print("bf16: the larger configuration, Lectern float32 then bf16", file=sys.stderr, flush=True)
        large = {"float32": training.lectern_large(), "bf16": training.lectern_large(bf16=True)}
        results["bf16"] = {"course": course, "inference": inference, "large": large,
                           "products": run_json([LECTERN_BENCH, "products", "2"])}
    return results


def ratio_row(what, results, key, unit, goal, higher_is_better=True, digits=1):
    lectern, reference = median(results["lectern"], key), median(results["reference"], key)
    ratio = lectern / reference if higher_is_better else reference / lectern
    return f"| {what} | {lectern:,.{digits}f} {unit} | {reference:,.{digits}f} {unit} | **{ratio:.2f}×** | {goal} |"


def report(results, arguments):
    rows, notes = [], []
    if "training" in results:
        t = results["training"]
        rows.append(ratio_row("Training, course configuration (Trainer with dynamic padding)", t, "train_samples_per_second", "samples/s", "≥ 2×"))
        padded = t["reference_padded"][0]["train_samples_per_second"]
        lectern_speed = median(t["lectern"], "train_samples_per_second")
        rows.append(f"| Training, against the lesson's padding to 512 tokens | {lectern_speed:,.1f} samples/s | {padded:,.2f} samples/s | "
                    f"**{lectern_speed / padded:.1f}×** | ≥ 20× |")
        peak = statistics.median(p["gflops_per_second"] for p in t["peak"])
        steps = statistics.median(s["gflops_per_second"] for s in t["lectern_steps"])
        share = statistics.median(s["gflops_per_second"] / p["gflops_per_second"] for s, p in zip(t["lectern_steps"], t["peak"]))
        rows.append(f"| Training steps: model FLOPs per second, share of the sgemm peak | {steps:,.0f} GFLOP/s | peak {peak:,.0f} GFLOP/s | "
                    f"**{100 * share:.0f}%** | ≥ 65% |")
        rows.append(ratio_row("Evaluation, course configuration (200 texts, batch 8)", t, "eval_samples_per_second", "samples/s", "≥ 2×"))
        rows.append(ratio_row("Peak memory, whole training run (RSS)", t, "peak_rss_mb", "MB", "≤ ⅓ (≥ 3×)", higher_is_better=False, digits=0))
    if "base" in results:
        b = results["base"]
        rows.append(ratio_row("Training, bert-base-shaped model (12 × 768), course configuration", b, "train_samples_per_second", "samples/s", "≥ 3.5×", digits=2))
        rows.append(ratio_row("Evaluation, bert-base-shaped model (200 texts, batch 8)", b, "eval_samples_per_second", "samples/s", "≥ 3.5×"))
        rows.append(ratio_row("Peak memory, bert-base-shaped training run (RSS)", b, "peak_rss_mb", "MB", "Lectern ≤ 2,200 MB", higher_is_better=False, digits=0))
    if "inference" in results:
        rows.append(ratio_row("Inference (AG News test, 7,600 texts, batch 32, ≤ 128 tokens)", results["inference"], "texts_per_second", "texts/s", "≥ 2×"))
        rows.append(ratio_row("Peak memory, inference (RSS)", results["inference"], "peak_rss_mb", "MB", "", higher_is_better=False, digits=0))
    if "bf16" in results:
        course, inference = results["bf16"]["course"], results["bf16"]["inference"]
        bf16_course = {"lectern": [r["bf16"] for r in course["lectern"]], "reference": course["reference"]}
        rows.append(ratio_row("Training, course configuration, `bf16` (Trainer with `bf16=True`)", bf16_course, "train_samples_per_second", "samples/s", "≥ 2×"))
        rows.append(ratio_row("Evaluation, course configuration, `bf16` (Trainer with `bf16=True`)", bf16_course, "eval_samples_per_second", "samples/s", "≥ 2×"))
        bf16_inference = {"lectern": [r["bf16"] for r in inference["lectern"]], "reference": inference["reference"]}
        rows.append(ratio_row("Inference, `bf16` (transformers under `torch.autocast`)", bf16_inference, "texts_per_second", "texts/s", "≥ 2×"))
        # bf16 against Lectern's own float32, measured in the same runs (mixed-precision.md runs both).
        own = {"lectern": [r["bf16"] for r in course["lectern"]], "reference": [r["float32"] for r in course["lectern"]]}
        rows.append(ratio_row("Training, `bf16: true` against Lectern float32 (Lectern float32 in the reference column)", own,
                              "train_samples_per_second", "samples/s", "≥ 1.6×"))
        rows.append(ratio_row("Evaluation, `bf16: true` against Lectern float32 (Lectern float32 in the reference column)", own,
                              "eval_samples_per_second", "samples/s", "≥ 2×"))
    if "tokenizer" in results:
        rows.append(ratio_row("Tokenizer, one thread (AG News test + BBC News, 9,825 texts)", results["tokenizer"], "texts_per_second", "texts/s", "≥ 2×"))

    sections = []
    if "training" in results:
        t = results["training"]
        mean = lambda system, key="eval_accuracy": statistics.mean(r[key] for r in t[system])
        spread = lambda system: statistics.pstdev(r["eval_accuracy"] for r in t[system])
        per_seed = "\n".join(f"| {l['seed']} | {l['eval_accuracy']:.3f} | {r['eval_accuracy']:.3f} | {l['eval_loss']:.4f} | {r['eval_loss']:.4f} |"
                             for l, r in zip(t["lectern"], t["reference"]))
        steps = t["lectern_steps"]
        pairs = ", ".join(f"{s['gflops_per_second']:,.0f} / {p['gflops_per_second']:,.0f} = {100 * s['gflops_per_second'] / p['gflops_per_second']:.0f}%"
                          for s, p in zip(steps, t["peak"]))
        best_peak = max(p["gflops_per_second"] for p in t["peak"])
        sections.append(f"""## The course configuration: accuracy over seeds

all-MiniLM-L6-v2, AG News `train[:1000]` split 0.8/0.2 with seed 42, 4 labels, 1 epoch, batch 8/8,
learning rate 5e-5, weight decay 0.01, logging every 10 steps, evaluation and a checkpoint at the
end of the epoch, best model loaded at the end, 2 threads. Lectern ran `notebooks/fine-tuning-bert.md
--set seed=S`; the Trainer ran `bench/reference_train.py` (transformers on PyTorch
{t['reference'][0].get('torch', '')}). Accuracy and loss on the 200 test articles:

| seed | Lectern accuracy | Trainer accuracy | Lectern eval loss | Trainer eval loss |
| ---: | ---: | ---: | ---: | ---: |
{per_seed}
| mean ± sd | {mean('lectern'):.3f} ± {spread('lectern'):.3f} | {mean('reference'):.3f} ± {spread('reference'):.3f} | | |

The seed changes the head's initial weights, the batch order and the dropout masks, each system
with its own generator, so single runs differ; the spread across seeds is the yardstick.

`train_samples_per_second` is the Trainer's figure in both systems: the epoch's examples over the
whole `train()` call, which includes the evaluation and the checkpoint at the end of the epoch.
The FLOP share counts the training steps alone (`lectern-bench training`: the same 100 steps,
{statistics.median(s['samples_per_second'] for s in steps):.1f} samples/s): forward and backward
of every dense layer (6 FLOPs per weight per token) and the attention products (QKᵀ and PV,
3 × 4·L²·H per sequence of L tokens and layer) on the real lengths, over the time in steps; the
peak is the best of five OpenBLAS sgemm products of 3072² matrices, two threads, measured right
before each steps run (one per seed), and the share is the median of the pairs: {pairs}. The
machine's speed drifts by ±10% over minutes, which a peak and a steps run measured minutes apart
would count as the engine's; against the best peak of the run ({best_peak:,.0f} GFLOP/s) the median
steps run is {100 * statistics.median(s['gflops_per_second'] for s in steps) / best_peak:.0f}%.""")
    if "base" in results:
        l, r = results["base"]["lectern"][0], results["base"]["reference"][0]
        sections.append(f"""## The lesson's model size: a bert-base-shaped classifier

The course configuration (seed 42, one run each) with a model of bert-base-uncased's shape: 12
layers, hidden size 768, 12 heads, intermediate size 3072, 110 M parameters, random weights that
transformers saved from `BertConfig()` (`bench/make_bert_base.py`; all-MiniLM-L6-v2's vocabulary,
which is bert-base-uncased's). Accuracy means little with random weights; the point is how the cost
grows with the model: {l['train_runtime']:,.0f} s of training against {r['train_runtime']:,.0f} s for the Trainer,
evaluation {l['eval_samples_per_second']:.1f} against {r['eval_samples_per_second']:.1f} texts/s, peak memory {l['peak_rss_mb']:,.0f} MB against
{r['peak_rss_mb']:,.0f} MB.""")
    if "large" in results:
        l, r = results["large"]["lectern"][0], results["large"]["reference"][0]
        sections.append(f"""## A larger configuration: 10,000 training articles, 7,600 test articles

The same model and settings on AG News `train[:{l['train_rows']:,}]`, one epoch without evaluation
or checkpoints, then evaluation on the {l['eval_rows']:,} articles of the test split; one run each
(Lectern: `bench/ag-news-10k.md`; Trainer: `bench/reference_train.py … {training.LARGE_ROWS}`), seed 42.

| | Lectern | Trainer | ratio |
| --- | ---: | ---: | ---: |
| Training time | {l['train_runtime']:,.0f} s | {r['train_runtime']:,.0f} s | **{r['train_runtime'] / l['train_runtime']:.2f}×** |
| Training samples/s | {l['train_samples_per_second']:.1f} | {r['train_samples_per_second']:.1f} | |
| Evaluation time ({l['eval_rows']:,} texts) | {l['eval_runtime']:,.0f} s | {r['eval_runtime']:,.0f} s | **{r['eval_runtime'] / l['eval_runtime']:.2f}×** |
| Test accuracy | {l['eval_accuracy']:.4f} | {r['eval_accuracy']:.4f} | |
| Test macro F1 | {l['eval_f1']:.4f} | {r['eval_f1']:.4f} | |
| Peak memory (RSS) | {l['peak_rss_mb']:,.0f} MB | {r['peak_rss_mb']:,.0f} MB | **{r['peak_rss_mb'] / l['peak_rss_mb']:.1f}× less** |""")
    if "bf16" in results:
        sections.append(bf16_section(results["bf16"]))
    if "inference" in results or "tokenizer" in results:
        what = []
        if "tokenizer" in results:
            tk = results["tokenizer"]
            what.append(f"""- **Tokenizer**: Lectern's `BertTokenizer` against Hugging Face `tokenizers`, one thread
  (`Tokenizer.encode_batch`, `RAYON_NUM_THREADS=1`), all-MiniLM-L6-v2's vocabulary, no truncation.
  Both produce the same {tk['lectern'][0]['tokens']:,} tokens (the ids are identical; see the parity tests).""")
        if "inference" in results:
            what.append(f"""- **Inference**: text to logits, tokenization included, `BertForSequenceClassification`
  (all-MiniLM-L6-v2, 4 labels) in eval mode. The reference is transformers on PyTorch
  {results['inference']['reference'][0].get('torch', '')} with `torch.set_num_threads(2)`, padding each batch to its
  longest text; Lectern computes each text at its real length, OpenBLAS on 2 threads.""")
        sections.append("## Tokenizer and inference\n\n" + "\n".join(what))

    machine = results["machine"]
    removed = ("; " + " and ".join(f"`{k}={v}`" for k, v in REMOVED.items()) + " were set in this machine's environment and removed "
               "for the benchmark, so Lectern chose its kernels itself") if REMOVED else ""
    warnings = "".join(f"\n\n> **Warning** from Lectern on this machine: {w}" for w in machine["warnings"])
    details = "\n\n".join(sections).replace("\n## ", "\n### ")
    details = re.sub(r"^## ", "### ", details)
    return f"""<!-- date: {datetime.date.today().isoformat()} -->
## {machine_class(machine)}: {machine['cpu_model']}, measured {datetime.date.today().isoformat()}

| machine | |
| --- | --- |
| CPU | {machine['cpu']} |
| Vector units | {machine['vector_units']} |
| BLAS | {machine['blas']} |
| Threads | {machine['thread_count']} |
| Matrix products (`lectern doctor`) | {machine['sgemm_gflops']:,.0f} GFLOP/s |
| System | {platform.system()} {platform.release()}, no GPU |

Measured by `make bench`, out of the box{removed}. Lectern and the Hugging Face reference ran
alternately in one invocation; each figure is the median of {arguments.runs} runs (the course
configuration: one run per seed {', '.join(map(str, arguments.seeds))}; the lesson's padding, the
bert-base-shaped model and the larger configuration: one run). The ratio is Lectern / reference for
speed and reference / Lectern for memory: above 1, Lectern is ahead.{(" " + results["note"]) if "note" in results else ""}{warnings}

| benchmark | Lectern | Hugging Face | ratio | goal |
| --- | ---: | ---: | ---: | --- |
{chr(10).join(rows)}

{details}
"""


def bf16_section(b):
    """Lectern's bf16 against its float32 on the same machine, the accuracy over seeds, the products one by one."""
    course, inference, large = b["course"], b["inference"], b["large"]
    lectern = lambda precision, key: statistics.median(r[precision][key] for r in course["lectern"])
    speed = lambda precision: statistics.median(r[precision]["texts_per_second"] for r in inference["lectern"])

    def row(what, float32, bf16, unit, goal, higher_is_better=True, digits=1):
        ratio = bf16 / float32 if higher_is_better else float32 / bf16
        return f"| {what} | {float32:,.{digits}f} {unit} | {bf16:,.{digits}f} {unit} | **{ratio:.2f}×** | {goal} |"
    training_goal, evaluation_goal = "≥ 1.6× (AVX512-BF16), ≥ 3× (AMX)", "≥ 2× (AVX512-BF16), ≥ 3× (AMX)"
    rows = [row("Training, course configuration", lectern("float32", "train_samples_per_second"), lectern("bf16", "train_samples_per_second"), "samples/s",
                training_goal),
            row("Evaluation, course configuration (200 texts, batch 8)", lectern("float32", "eval_samples_per_second"), lectern("bf16", "eval_samples_per_second"),
                "samples/s", evaluation_goal),
            row("Inference (7,600 texts, batch 32)", speed("float32"), speed("bf16"), "texts/s", ""),
            row("Training, 10,000 articles", large["float32"]["train_runtime"], large["bf16"]["train_runtime"], "s", training_goal, higher_is_better=False, digits=0),
            row("Evaluation, 7,600 articles (batch 8)", large["float32"]["eval_runtime"], large["bf16"]["eval_runtime"], "s", evaluation_goal, higher_is_better=False)]
    accuracy = lambda system: [r[system]["eval_accuracy"] if system != "reference" else r["eval_accuracy"] for r in
                               (course["lectern"] if system != "reference" else course["reference"])]
    per_seed = "\n".join(f"| {l['float32']['seed']} | {l['float32']['eval_accuracy']:.3f} | {l['bf16']['eval_accuracy']:.3f} | {r['eval_accuracy']:.3f} |"
                         for l, r in zip(course["lectern"], course["reference"]))
    summary = " | ".join(f"{statistics.mean(accuracy(s)):.3f} ± {statistics.pstdev(accuracy(s)):.3f}" for s in ["float32", "bf16", "reference"])
    products = "\n".join(f"| {p['shape']} | {p['m']} × {p['n']} × {p['k']} | {p['float32_gflops']:,.0f} | {p['bfloat16_gflops']:,.0f} | "
                         f"{p['bfloat16_gflops'] / p['float32_gflops']:.2f}× |" for p in b["products"]["products"])
    return f"""## `bf16: true`: Lectern's bfloat16 products against its float32

Run header: *{course['lectern'][0]['precision']}*. The course configuration ran as
`notebooks/mixed-precision.md --set seed=S` (the same lesson in float32, then with `bf16: true`, in
one run), the Trainer as `bench/reference_train.py … --bf16` (`TrainingArguments(bf16=True)`); inference
is `lectern-bench inference … float32|bf16` against transformers under `torch.autocast("cpu",
dtype=torch.bfloat16)`; the larger configuration is `bench/ag-news-10k.md --set bf16=false|true`, once each.

| Lectern | float32 | bf16 | ratio | goal |
| --- | ---: | ---: | ---: | --- |
{chr(10).join(rows)}

Evaluation is almost all matrix products. A training step also spends time outside them (AdamW over
every parameter, the dropout masks, LayerNorm, GELU and softmax with their gradients), which bf16
does not change, so training gains less.

Accuracy on the 200 test articles of the course configuration:

| seed | Lectern float32 | Lectern bf16 | Trainer `bf16=True` |
| ---: | ---: | ---: | ---: |
{per_seed}
| mean ± sd | {summary} |

On the 7,600 test articles after 10,000 training articles: accuracy {large['float32']['eval_accuracy']:.4f} in float32,
{large['bf16']['eval_accuracy']:.4f} in bf16 (macro F1 {large['float32']['eval_f1']:.4f} and {large['bf16']['eval_f1']:.4f}).

The products one by one (`lectern-bench products`, {b['products']['threads']} threads, best of five, GFLOP/s):
OpenBLAS sgemm against Lectern's AVX512-BF16 kernel on the course model's shapes.

| product | m × n × k | float32 | bf16 | ratio |
| --- | --- | ---: | ---: | ---: |
{products}"""


def page():
    """docs/performance.md: every machine class's section, newest first."""
    fragments = [path.read_text() for path in RESULTS.glob("*.md")]
    fragments.sort(key=lambda text: re.search(r"<!-- date: (\S+) -->", text).group(1), reverse=True)
    return """# Performance

Lectern against the Hugging Face stack (the Trainer on PyTorch, `tokenizers`), one section per
kind of machine, each naming its CPU, vector units, BLAS kernels and threads: speed depends on
them, and a figure holds only for the machine it was measured on. `make bench` measures the
machine it runs on and rewrites that machine's section (bench/results/); the other sections stay
as they were measured. How the engine gets these numbers is in [engine.md](engine.md#performance).

""" + "\n".join(fragments) + """
## Commands

`make bench` runs a whole section (about an hour; `--only SECTION` runs part of it). By hand:

```sh
swift build -c release --product lectern && swift build -c release --product lectern-bench
.build/release/lectern doctor
.build/release/lectern run notebooks/fine-tuning-bert.md --no-cache --set seed=42
.build/release/lectern-bench training $LECTERN_DATA/ag_news all-MiniLM-L6-v2 42
.build/release/lectern-bench peak 2
.build/release/lectern run notebooks/fine-tuning-bert.md --no-cache --set model=BERT_BASE_FOLDER   # bench/make_bert_base.py writes it
.build/release/lectern run bench/ag-news-10k.md --no-cache
.build/release/lectern-bench tokenizer $LECTERN_DATA/ag_news BBC_FOLDER
.build/release/lectern-bench inference $LECTERN_DATA/ag_news all-MiniLM-L6-v2 32 128 2
python bench/reference_train.py $LECTERN_DATA/ag_news MODEL_FOLDER 42 longest      # or max_length; add 10000 for the larger run
RAYON_NUM_THREADS=1 python bench/reference.py tokenizer $LECTERN_DATA/ag_news MODEL_FOLDER BBC_FOLDER
python bench/reference.py inference $LECTERN_DATA/ag_news MODEL_FOLDER 32 128 2
```

Raw results (JSON) of the newest run: `output/bench.json`; of each machine's: bench/results/.
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--report-from", help="write the report from a run's raw results (output/bench.json) instead of measuring")
    arguments = parser.parse_args()
    if arguments.report_from:
        results = json.loads(pathlib.Path(arguments.report_from).read_text())
        arguments.only = [section for section in SECTIONS if section in results]
        machine = results["machine"]
    else:
        machine = run_json([LECTERN, "doctor", "--json"])
        results = measure(arguments)
        results["machine"] = machine
        (ROOT / "output").mkdir(exist_ok=True)
        (ROOT / "output" / "bench.json").write_text(json.dumps(results, indent=1))
    text = report(results, arguments)
    if set(arguments.only) == set(SECTIONS):
        slug = re.sub(r"[^a-z0-9]+", "-", machine_class(machine).lower()).strip("-")
        (RESULTS / f"{slug}.md").write_text(text)
        (RESULTS / f"{slug}.json").write_text(json.dumps(results, indent=1))
        target = ROOT / "docs" / "performance.md"
        target.write_text(page())
    else:
        target = ROOT / "output" / "performance-partial.md"
        target.write_text(text)
    print(text)
    print(f"written to {target.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
