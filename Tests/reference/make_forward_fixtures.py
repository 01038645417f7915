"""Writes Tests/LecternEngineTests/Fixtures/forward-parity.json with PyTorch and transformers.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_forward_fixtures.py MODEL_FOLDER AG_NEWS_FOLDER

Loads the model as BertForSequenceClassification with 4 labels and a classification head
drawn with torch.manual_seed(0) (kept in the fixture, so the Swift test uses the same head),
runs the texts as one padded batch in eval mode, and keeps the token ids, the pooler output
and the logits.
"""
import csv
import json
import pathlib
import sys

import torch
from transformers import AutoTokenizer, BertForSequenceClassification


def main():
    model_folder, ag_news = sys.argv[1:3]
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = BertForSequenceClassification.from_pretrained(model_folder, num_labels=4).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_folder)
    with open(pathlib.Path(ag_news) / "train.csv", encoding="utf-8", newline="") as handle:
        rows = [title + " " + description for _, title, description in csv.reader(handle)][:40]
    long_text = " ".join(rows)
    texts = ["Google stock surged after revealing new advancements in quantum computing and AI.",
             rows[0], rows[1], "Short.", rows[2] + " " + rows[3], long_text]
    encoded = tokenizer(texts, padding=True, truncation=True, max_length=300, return_tensors="pt")
    with torch.no_grad():
        outputs = model.bert(**encoded)
        logits = model.classifier(outputs.pooler_output)
    lengths = encoded["attention_mask"].sum(dim=1).tolist()
    fixture = {
        "texts": texts,
        "ids": [encoded["input_ids"][i, :n].tolist() for i, n in enumerate(lengths)],
        "pooled": outputs.pooler_output.tolist(),
        "logits": logits.tolist(),
        "classifier_weight": model.classifier.weight.detach().reshape(-1).tolist(),
        "classifier_bias": model.classifier.bias.detach().tolist(),
        "torch": torch.__version__,
    }
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures" / "forward-parity.json"
    out.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {out}: lengths {lengths}")


if __name__ == "__main__":
    main()
