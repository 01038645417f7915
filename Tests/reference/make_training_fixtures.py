"""Writes Tests/LecternEngineTests/Fixtures/training-parity.json with PyTorch and transformers.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_training_fixtures.py MODEL_FOLDER AG_NEWS_FOLDER

Three optimizer steps on all-MiniLM-L6-v2 as BertForSequenceClassification (4 labels, head from
torch.manual_seed(0), dropout 0), each on its own batch of 8 AG News training rows, with what the
Trainer uses: AdamW (lr 5e-5, weight decay 0.01 except biases and LayerNorm weights, betas
(0.9, 0.999), eps 1e-8), a linear schedule over the 3 steps, gradient clipping at 1.0. The
fixture keeps, per step, the batch, the loss, the gradient norm before clipping and the rate
used, and the eval-mode logits of the first batch after steps 1 and 3.
"""
import contextlib
import csv
import json
import pathlib
import sys

import torch
from transformers import AutoTokenizer, BertForSequenceClassification, get_linear_schedule_with_warmup


def trainer_adamw(model, steps):
    """AdamW and the linear schedule as the Trainer builds them (no decay for biases and LayerNorm weights)."""
    decay = [p for n, p in model.named_parameters() if "bias" not in n and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if "bias" in n or "LayerNorm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=5e-5, betas=(0.9, 0.999), eps=1e-8)
    return optimizer, get_linear_schedule_with_warmup(optimizer, num_warmup_steps=0, num_training_steps=steps)


def trainer_step(model, optimizer, scheduler, encoded, labels, forward=contextlib.nullcontext):
    """One step as the Trainer takes it (forward inside `forward()`, backward, clipping at 1.0, AdamW, the
    schedule); returns the batch's token ids and labels, the loss, the norm before clipping and the rate used."""
    model.train()
    rate = scheduler.get_last_lr()[0]
    with forward():
        loss = model(**encoded, labels=torch.tensor(labels)).loss
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()
    lengths = encoded["attention_mask"].sum(dim=1).tolist()
    return {"ids": [encoded["input_ids"][i, :n].tolist() for i, n in enumerate(lengths)],
            "labels": labels, "loss": loss.item(), "grad_norm": norm.item(), "learning_rate": rate}


def main():
    model_folder, ag_news = sys.argv[1:3]
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = BertForSequenceClassification.from_pretrained(model_folder, num_labels=4, hidden_dropout_prob=0.0,
                                                          attention_probs_dropout_prob=0.0)
    tokenizer = AutoTokenizer.from_pretrained(model_folder)
    with open(pathlib.Path(ag_news) / "train.csv", encoding="utf-8", newline="") as handle:
        rows = [(int(label) - 1, title + " " + description) for label, title, description in csv.reader(handle)][:24]
    head = {"classifier_weight": model.classifier.weight.detach().reshape(-1).tolist(),
            "classifier_bias": model.classifier.bias.detach().tolist()}

    optimizer, scheduler = trainer_adamw(model, 3)

    def encode(batch):
        return tokenizer([text for _, text in batch], padding=True, truncation=True, max_length=128, return_tensors="pt")

    first = encode(rows[:8])
    steps, logits_after = [], {}
    for step in range(3):
        batch = rows[8 * step:8 * step + 8]
        steps.append(trainer_step(model, optimizer, scheduler, encode(batch), [label for label, _ in batch]))
        if step in (0, 2):
            model.eval()
            with torch.no_grad():
                logits_after[str(step + 1)] = model(**first).logits.tolist()
    fixture = {**head, "steps": steps, "logits_after": logits_after, "torch": torch.__version__}
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures" / "training-parity.json"
    out.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {out}: losses {[round(s['loss'], 5) for s in steps]}, norms {[round(s['grad_norm'], 4) for s in steps]}")


if __name__ == "__main__":
    main()
