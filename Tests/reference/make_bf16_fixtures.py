"""Writes Tests/LecternEngineTests/Fixtures/bf16-parity.json with PyTorch and transformers.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_bf16_fixtures.py MODEL_FOLDER AG_NEWS_FOLDER

The same model, head, texts and steps as make_forward_fixtures.py and make_training_fixtures.py,
each run twice: in float32 and under torch.autocast("cpu", dtype=torch.bfloat16), which is what
the Trainer's bf16=True does on a CPU. The float32 run gives the scale of bfloat16's own error
(how far autocast moves each number), which the Swift tests use to bound Lectern's bf16 results.
"""
import contextlib
import csv
import json
import pathlib
import sys

import torch
from transformers import AutoTokenizer, BertForSequenceClassification

from make_training_fixtures import trainer_adamw, trainer_step


def autocast(enabled):
    return torch.autocast("cpu", dtype=torch.bfloat16) if enabled else contextlib.nullcontext()


def forward(model_folder, rows, bf16):
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(model_folder, num_labels=4).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_folder)
    texts = ["Google stock surged after revealing new advancements in quantum computing and AI.",
             rows[0], rows[1], "Short.", rows[2] + " " + rows[3], " ".join(rows[:40])]
    encoded = tokenizer(texts, padding=True, truncation=True, max_length=300, return_tensors="pt")
    with torch.no_grad(), autocast(bf16):
        logits = model(**encoded).logits.float()
    lengths = encoded["attention_mask"].sum(dim=1).tolist()
    return {"ids": [encoded["input_ids"][i, :n].tolist() for i, n in enumerate(lengths)], "logits": logits.tolist(),
            "classifier_weight": model.classifier.weight.detach().reshape(-1).tolist(),
            "classifier_bias": model.classifier.bias.detach().tolist()}


def training(model_folder, rows, bf16):
    """Three steps of the Trainer's AdamW (see make_training_fixtures.py), dropout 0."""
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(model_folder, num_labels=4, hidden_dropout_prob=0.0,
                                                          attention_probs_dropout_prob=0.0)
    tokenizer = AutoTokenizer.from_pretrained(model_folder)
    optimizer, scheduler = trainer_adamw(model, 3)

    def encode(batch):
        return tokenizer([text for _, text in batch], padding=True, truncation=True, max_length=128, return_tensors="pt")

    first = encode(rows[:8])
    steps = []
    for step in range(3):
        batch = rows[8 * step:8 * step + 8]
        steps.append(trainer_step(model, optimizer, scheduler, encode(batch), [label for label, _ in batch], lambda: autocast(bf16)))
    model.eval()
    with torch.no_grad(), autocast(bf16):
        logits_after = model(**first).logits.float().tolist()
    return {"steps": steps, "logits_after": logits_after}


def main():
    model_folder, ag_news = sys.argv[1:3]
    torch.set_num_threads(2)
    with open(pathlib.Path(ag_news) / "train.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:40]
    texts = [title + " " + description for _, title, description in rows]
    labelled = [(int(label) - 1, title + " " + description) for label, title, description in rows][:24]
    fixture = {"forward": {"float32": forward(model_folder, texts, False), "bf16": forward(model_folder, texts, True)},
               "training": {"float32": training(model_folder, labelled, False), "bf16": training(model_folder, labelled, True)},
               "torch": torch.__version__}
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures" / "bf16-parity.json"
    out.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    f32, b16 = fixture["forward"]["float32"]["logits"], fixture["forward"]["bf16"]["logits"]
    moved = max(abs(a - b) for ra, rb in zip(f32, b16) for a, b in zip(ra, rb))
    print(f"wrote {out}: autocast moves the logits by up to {moved:.2e}; losses "
          f"{[round(s['loss'], 5) for s in fixture['training']['float32']['steps']]} -> "
          f"{[round(s['loss'], 5) for s in fixture['training']['bf16']['steps']]}")


if __name__ == "__main__":
    main()
