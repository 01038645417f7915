"""Writes a tiny transformers-saved BERT classifier and its predictions, for the predict tests.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_checkpoint_fixtures.py MODEL_FOLDER AG_NEWS_FOLDER

The checkpoint is small enough to commit (about 150 KB): a vocabulary of the word pieces that a
few hundred AG News texts use, hidden size 32, 2 layers, weights drawn with torch.manual_seed(0)
and a wide initialiser so that predictions differ from text to text. It is saved with
`save_pretrained` (model and fast tokenizer), exactly as a user's fine-tuned model would be.
"""
import csv
import json
import pathlib
import sys
import tempfile

import torch
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification, BertTokenizerFast

LABELS = ["World", "Sports", "Business", "Sci/Tech"]


def main():
    model_folder, ag_news = sys.argv[1:3]
    full = AutoTokenizer.from_pretrained(model_folder)
    with open(pathlib.Path(ag_news) / "test.csv", encoding="utf-8", newline="") as handle:
        rows = [title + " " + description for _, title, description in csv.reader(handle)]
    pieces = set()
    for text in rows[:60]:
        pieces.update(full.tokenize(text))
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = specials + sorted(pieces)
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures" / "tiny-bert-classifier"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        vocab_file = pathlib.Path(scratch) / "vocab.txt"
        vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
        # transformers 5 takes the vocabulary as `vocab` (it ignores `vocab_file`, which left only the special tokens).
        tokenizer = BertTokenizerFast(vocab=str(vocab_file), do_lower_case=True, model_max_length=128)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=128, initializer_range=0.4,
                        id2label=dict(enumerate(LABELS)), label2id={name: i for i, name in enumerate(LABELS)})
    model = BertForSequenceClassification(config).eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)

    texts = ["Google stock surged after revealing new advancements in quantum computing and AI.",
             rows[0], rows[1], rows[2], "Short text.", " ".join(rows[:20])]
    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
    probabilities = torch.softmax(logits, dim=-1)
    expected = {"texts": texts, "labels": [LABELS[i] for i in probabilities.argmax(-1).tolist()],
                "probabilities": probabilities.tolist(), "logits": logits.tolist()}
    (out.parent / "tiny-bert-predictions.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {out} ({len(vocab)} tokens) and predictions: {expected['labels']}")


if __name__ == "__main__":
    main()
