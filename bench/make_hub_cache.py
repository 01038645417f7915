"""A Hugging Face hub cache holding AG News as `load_dataset("fancyzhx/ag_news")` leaves it, made from the
CSV release beside the repository (never copied into it): the Hub's Parquet files (text = title + " " +
description, label = class - 1 as a ClassLabel, as the dataset's original loading script built them),
stored as huggingface_hub stores a download (blobs, refs/main, a snapshot of symbolic links) with the
Hub's README.md configs. Needs only pyarrow.

    python bench/make_hub_cache.py AG_NEWS_FOLDER HUB_CACHE_FOLDER
"""
import csv
import hashlib
import json
import os
import pathlib
import sys

import pyarrow as pa
import pyarrow.parquet as pq

NAMES = ["World", "Sports", "Business", "Sci/Tech"]
FEATURES = {"info": {"features": {"text": {"dtype": "string", "_type": "Value"},
                                  "label": {"names": NAMES, "_type": "ClassLabel"}}}}
README = """---
dataset_info:
  features:
  - name: text
    dtype: string
  - name: label
    dtype:
      class_label:
        names:
          '0': World
          '1': Sports
          '2': Business
          '3': Sci/Tech
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*
  - split: test
    path: data/test-*
---
# AG News (a local copy in the Hub's layout, made by Lectern's bench/make_hub_cache.py)
"""


def rows(path):
    """The rows as the dataset's loading script read the CSV release."""
    with open(path, encoding="utf-8") as file:
        for label, title, description in csv.reader(file, quotechar='"', delimiter=",", quoting=csv.QUOTE_ALL, skipinitialspace=True):
            yield " ".join((title, description)), int(label) - 1


def main(source, cache):
    source, cache = pathlib.Path(source), pathlib.Path(cache)
    repository = cache / "datasets--fancyzhx--ag_news"
    commit = "eb185aade064a813bc0b7f42de02595523103ca4"
    snapshot = repository / "snapshots" / commit
    (repository / "blobs").mkdir(parents=True, exist_ok=True)
    (snapshot / "data").mkdir(parents=True, exist_ok=True)
    files = {"README.md": README.encode()}
    for split in ["train", "test"]:
        texts, labels = zip(*rows(source / f"{split}.csv"))
        schema = pa.schema([("text", pa.string()), ("label", pa.int64())], metadata={"huggingface": json.dumps(FEATURES)})
        table = pa.table({"text": list(texts), "label": list(labels)}, schema=schema)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="snappy", row_group_size=1000)
        files[f"data/{split}-00000-of-00001.parquet"] = sink.getvalue().to_pybytes()
    for name, content in files.items():
        blob = repository / "blobs" / hashlib.sha256(content).hexdigest()
        blob.write_bytes(content)
        link = snapshot / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repository / "refs").mkdir(exist_ok=True)
    (repository / "refs" / "main").write_text(commit)
    print(snapshot)


if __name__ == "__main__":
    main(*sys.argv[1:3])
