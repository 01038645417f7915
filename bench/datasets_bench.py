"""Loading Parquet files: Lectern against `datasets.load_dataset` on the same files (issue 24's benchmark).

    python bench/datasets_bench.py [--runs 3] [--folder .lectern/bench-datasets]

Files, made once in the folder (outside git): AG News as 120,000 rows (the 10,429 training rows beside the
repository, repeated: the share holds no more), written by `datasets`' `to_parquet`; and a file of about
1 GB (4.2 million rows of random base64 text, incompressible, with labels 0-3), written by pyarrow in row
groups of 100,000 rows. Each case runs as a fresh process, the two systems alternating. `datasets` runs
cold (an empty cache folder: it converts the Parquet into its Arrow cache first) and warm (that cache
kept); Lectern keeps no cache, so its two columns are its first and second runs. Time is the load inside
the process (imports aside) and the whole process; memory is the process's peak RSS. Each run's rows are
hashed (label, tab, text, newline) and the two systems must agree. Run by `make bench-datasets`; writes
bench/results/datasets-CLASS.md and assembles docs/performance.md.
"""
import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import datetime

from common import AG_NEWS, LECTERN, LECTERN_BENCH, ROOT, machine_class, run_json

REFERENCE = r'''
import hashlib, json, resource, sys, time
started = time.perf_counter()
import datasets
datasets.disable_progress_bars()
path, split, cache = sys.argv[1:4]
loaded = time.perf_counter()
rows = datasets.load_dataset("parquet", data_files={"train": path}, split=split, cache_dir=cache)
done = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
digest = hashlib.sha256("".join(f"{label}\t{text}\n" for label, text in zip(rows["label"], rows["text"])).encode()).hexdigest()
print(json.dumps({"rows": len(rows), "seconds": done - loaded, "sha256": digest, "peak_rss_mb": peak,
                  "hash_seconds": time.perf_counter() - done}))
'''


NOTE = ("What it means: for a lesson's data (AG News, and the first rows of a large file) Lectern is 5-48× faster than `datasets` and uses at most a third of its memory, because it reads only the row groups and columns a `load` needs and starts without Python's imports. Reading every row of a 1 GB file, it is slower and larger: it makes each text a Swift string (the tokenizer needs them), while `datasets` maps its Arrow cache into memory and makes nothing until a row is asked for.")


def make_files(folder, python):
    folder.mkdir(parents=True, exist_ok=True)
    ag, large = folder / "ag_news_120k.parquet", folder / "random_1gb.parquet"
    if not ag.exists():
        subprocess.run([python, "-c", f'''
import csv, datasets
rows = [(" ".join((t, d)), int(l) - 1) for l, t, d in csv.reader(open("{AG_NEWS / 'train.csv'}", encoding="utf-8"), skipinitialspace=True)]
rows = (rows * (120000 // len(rows) + 1))[:120000]
features = datasets.Features({{"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["World", "Sports", "Business", "Sci/Tech"])}})
datasets.Dataset.from_dict({{"text": [r[0] for r in rows], "label": [r[1] for r in rows]}}, features=features).to_parquet("{ag}")
'''], check=True)
    if not large.exists():
        subprocess.run([python, "-c", f'''
import base64, numpy, pyarrow as pa, pyarrow.parquet as pq
random = numpy.random.default_rng(24)
schema = pa.schema([("text", pa.string()), ("label", pa.int64())])
with pq.ParquetWriter("{large}", schema, compression="snappy") as writer:
    for _ in range(42):
        raw = random.bytes(100000 * 192)
        texts = [base64.b64encode(raw[i * 192:(i + 1) * 192]).decode() for i in range(100000)]
        writer.write_table(pa.table({{"text": texts, "label": random.integers(0, 4, 100000)}}, schema=schema))
'''], check=True)
    return ag, large


def measure(command, env=None):
    started = time.perf_counter()
    result = run_json(command, env)
    # The whole process but the digest of its rows, which only the benchmark needs.
    result["process_seconds"] = time.perf_counter() - started - result["hash_seconds"]
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", default=str(ROOT / ".lectern" / "bench-datasets"))
    parser.add_argument("--python", default=sys.executable)
    arguments = parser.parse_args()
    for name in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]:
        os.environ.pop(name, None)
    ag, large = make_files(pathlib.Path(arguments.folder), arguments.python)
    cases = [("AG News, 120,000 rows", ag, "train", arguments.runs),
             ("1 GB file, first 1,000 rows", large, "train[:1000]", arguments.runs),
             ("1 GB file, every row", large, "train", 1)]
    machine = json.loads(subprocess.run([str(LECTERN), "doctor", "--json"], capture_output=True, text=True).stdout or "{}")
    today = datetime.date.today().isoformat()
    kind = machine_class(machine)
    report = [f"<!-- date: {today} -->", f"## Loading datasets, {kind}: {machine.get('cpu', 'unknown CPU')}, measured {today}", "",
              "`make bench-datasets`: Lectern's `load` against `datasets.load_dataset(\"parquet\", ...)` on the same files, "
              f"as fresh processes, alternating. Files: AG News as 120,000 rows ({ag.stat().st_size / 1e6:.1f} MB, written by "
              "`datasets`; the 10,429 training rows beside the repository, repeated), and "
              f"{large.stat().st_size / 1e9:.2f} GB of random base64 text in row groups of 100,000 rows (pyarrow).", "",
              "| case | Lectern 1st | Lectern 2nd | datasets cold | datasets warm | speed-up (cold / warm) | peak RSS, Lectern / datasets cold |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for title, path, split, runs in cases:
        lectern, cold, warm = [], [], []
        for _ in range(runs):
            lectern.append(measure([LECTERN_BENCH, "load", path, split]))
            cache = tempfile.mkdtemp(prefix="datasets-cache-", dir=arguments.folder)
            cold.append(measure([arguments.python, "-c", REFERENCE, path, split, cache]))
            lectern.append(measure([LECTERN_BENCH, "load", path, split]))
            warm.append(measure([arguments.python, "-c", REFERENCE, path, split, cache]))
            shutil.rmtree(cache)
        digests = {run["sha256"] for run in lectern + cold + warm}
        if len(digests) != 1:
            sys.exit(f"{title}: Lectern and datasets read different rows ({len(digests)} digests)")
        first, second = lectern[0::2], lectern[1::2]
        med = lambda runs, key="process_seconds": statistics.median(run[key] for run in runs)
        report.append(f"| {title} ({first[0]['rows']:,} rows) | {med(first):.2f} s ({med(first, 'seconds'):.2f}) | "
                      f"{med(second):.2f} s ({med(second, 'seconds'):.2f}) | {med(cold):.2f} s ({med(cold, 'seconds'):.2f}) | "
                      f"{med(warm):.2f} s ({med(warm, 'seconds'):.2f}) | {med(cold) / med(first):.1f}× / {med(warm) / med(second):.1f}× | "
                      f"{med(first, 'peak_rss_mb'):.0f} / {med(cold, 'peak_rss_mb'):.0f} MB |")
        print(report[-1], flush=True)
    report += ["", "Seconds: the whole process (the rows' digest aside), and in brackets the load inside it (Python's imports and "
               f"Swift's start aside); medians of {arguments.runs} runs (one for the whole 1 GB file). Peak RSS: the process's, when the "
               "load ends. Both systems read the same rows (SHA-256 of every label and text).", "",
               NOTE]
    slug = kind.lower().replace(" ", "-").replace("/", "-")
    (ROOT / "bench" / "results" / f"datasets-{slug}.md").write_text("\n".join(report) + "\n")
    import run_bench
    (ROOT / "docs" / "performance.md").write_text(run_bench.page())
    print("\n".join(report))


if __name__ == "__main__":
    main()
