"""Checks that a checkpoint written by Lectern loads in transformers and gives Lectern's logits.

    ~/.cache/lectern-ref/bin/python Tests/reference/check_checkpoint_in_transformers.py CHECKPOINT_FOLDER AG_NEWS_FOLDER

Loads CHECKPOINT_FOLDER with `AutoModelForSequenceClassification` and `AutoTokenizer`, classifies
the first 32 AG News test texts, runs the same texts through `lectern run` (a one-cell `predict`
notebook), and prints the largest difference of the logits and whether the labels agree (for a
regression checkpoint the score is its one logit; the config's problem_type is printed too).
Exits non-zero if they differ by more than 1e-4 or any label differs.
"""
import csv
import json
import pathlib
import subprocess
import sys
import tempfile

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    checkpoint, ag_news = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    with open(pathlib.Path(ag_news) / "test.csv", encoding="utf-8", newline="") as handle:
        texts = [title + " " + description for _, title, description in csv.reader(handle)][:32]
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForSequenceClassification.from_pretrained(checkpoint).eval()
    with torch.no_grad():
        reference = model(**tokenizer(texts, padding=True, truncation=True, return_tensors="pt")).logits.tolist()
    with tempfile.TemporaryDirectory() as scratch:
        notebook = pathlib.Path(scratch) / "check.md"
        notebook.write_text("```predict\nmodel: " + str(checkpoint) + "\ntexts:\n" + "".join(f"  - {json.dumps(t)}\n" for t in texts) + "```\n")
        subprocess.run([str(ROOT / ".build" / "release" / "lectern"), "run", str(notebook), "--out", scratch, "--quiet"], check=True)
        predictions = json.loads((pathlib.Path(scratch) / "check.json").read_text())["cells"][0]["outputs"]["predictions"]
    lectern = [p["logits"] if "logits" in p else [p["score"]] for p in predictions]
    difference = max(abs(a - b) for row_a, row_b in zip(lectern, reference) for a, b in zip(row_a, row_b))
    labels_agree = all(max(range(len(a)), key=a.__getitem__) == max(range(len(b)), key=b.__getitem__) for a, b in zip(lectern, reference))
    print(json.dumps({"checkpoint": str(checkpoint), "texts": len(texts), "max_logit_difference": difference, "labels_agree": labels_agree,
                      "labels": model.config.id2label, "problem_type": model.config.problem_type}))
    sys.exit(0 if difference < 1e-4 and labels_agree else 1)


if __name__ == "__main__":
    main()
