"""Writes Tests/LecternEngineTests/Fixtures/pair-tokenizer-parity.json: sentence pairs through the fast tokenizer.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_pair_fixtures.py MODEL_FOLDER AG_NEWS_FOLDER

Every AG News test row as the pair (title, description), through `tokenizer(title, description,
truncation=..., max_length=...)` of two fast tokenizers: all-MiniLM-L6-v2's WordPiece (BERT's) and the
tiny RoBERTa fixture's byte-level BPE. For each truncation strategy and max_length the fixture keeps
a checksum over all rows of input_ids and token_type_ids (0 where the tokenizer returns none, as the
model then reads), and how many rows the tokenizer refuses (a strategy that cannot cut enough) with a
checksum of their indices; for
longest_first at 32 tokens, one checksum per row, so a mismatch names its row.

`model` holds the tiny BERT fixture's logits for six (title, description) pairs, whose second texts
read token type 1, and one training step on them with dropout 0 (loss and gradient norm).
"""
import csv
import json
import pathlib
import sys

import torch
from transformers import AutoTokenizer, BertForSequenceClassification

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures"
STRATEGIES = ["longest_first", "only_first", "only_second"]
LENGTHS = [None, 16, 32, 64]


def checksum(values, start=0):
    value = start
    for token in values:
        value = (value * 1_000_003 + token + 1) & 0xFFFFFFFF
    return value


def encode(tokenizer, title, description, strategy, length):
    """ids and token types, or None when the tokenizer refuses the truncation."""
    try:
        if length is None:
            encoded = tokenizer(title, description)
        else:
            encoded = tokenizer(title, description, truncation=strategy, max_length=length)
    except Exception:  # tokenizers: "Sequence to truncate too short to respect the provided max_length"
        return None
    ids = encoded["input_ids"]
    return ids, encoded.get("token_type_ids", [0] * len(ids))


def model_on_pairs(pairs):
    folder = FIXTURES / "tiny-bert-classifier"
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = BertForSequenceClassification.from_pretrained(folder, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0).eval()
    encoded = tokenizer([t for t, _ in pairs], [d for _, d in pairs], padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits.tolist()
    model.train()
    labels = [0, 1, 2, 3, 0, 1]
    loss = model(**encoded, labels=torch.tensor(labels)).loss
    loss.backward()
    norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters() if p.grad is not None)).item()
    lengths = encoded["attention_mask"].sum(dim=1).tolist()
    return {"input_ids": [encoded["input_ids"][i, :n].tolist() for i, n in enumerate(lengths)],
            "token_type_ids": [encoded["token_type_ids"][i, :n].tolist() for i, n in enumerate(lengths)],
            "logits": logits, "labels": labels, "loss": loss.item(), "grad_norm": norm,
            "token_type_row_1_grad_norm": model.bert.embeddings.token_type_embeddings.weight.grad[1].norm().item()}


def main():
    model_folder, ag_news = sys.argv[1], pathlib.Path(sys.argv[2])
    with open(ag_news / "test.csv", encoding="utf-8", newline="") as handle:
        rows = [(title, description) for _, title, description in csv.reader(handle)]
    fixture = {"rows": len(rows)}
    for name, folder in [("wordpiece", model_folder), ("bpe", FIXTURES / "tiny-roberta-classifier")]:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        tokenizer.model_max_length = 10**9  # no cut but the one asked for
        cases = []
        for strategy in STRATEGIES:
            for length in LENGTHS:
                if length is None and strategy != "longest_first":
                    continue
                total, refused, per_row, first = 0, [], [], []
                for index, (title, description) in enumerate(rows):
                    result = encode(tokenizer, title, description, strategy, length)
                    if result is None:
                        refused.append(index)
                        continue
                    ids, types = result
                    row = checksum(types, checksum(ids))
                    total = checksum([row], total)
                    if strategy == "longest_first" and length == 32:
                        per_row.append(row)
                    if len(first) < 3:
                        first.append({"row": index, "input_ids": ids, "token_type_ids": types})
                case = {"strategy": strategy, "max_length": length, "checksum": total, "refused": len(refused),
                        "refused_checksum": checksum(refused), "first_refused": refused[:5], "first": first}
                if per_row:
                    case["row_checksums"] = per_row
                cases.append(case)
        fixture[name] = cases
        print(f"{name}: {len(cases)} cases, refused rows per case: {[c['refused'] for c in cases]}")
    fixture["model"] = model_on_pairs(rows[:6])
    (FIXTURES / "pair-tokenizer-parity.json").write_text(json.dumps(fixture, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
