"""Writes tiny transformers-saved DistilBERT and RoBERTa classifiers, a byte-level BPE tokenizer,
and what transformers computes with them, for the model-family parity tests.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_family_fixtures.py AG_NEWS_FOLDER BBC_FOLDER

No pretrained DistilBERT or RoBERTa is reachable here, so each checkpoint is the family's
`...ForSequenceClassification` built from a config (hidden size 32, 2 layers, 4 heads, weights drawn
with torch.manual_seed(0) and a wide initialiser) and saved with `save_pretrained`, exactly as a
user's fine-tuned model would be. DistilBERT uses the tiny BERT fixture's WordPiece tokenizer (as
DistilBERT uses BERT's). RoBERTa's tokenizer is byte-level BPE trained with `tokenizers` on BBC News
(2,000 tokens, RoBERTa's specials, `<mask>` taking the space before it as roberta-base's does),
saved as `RobertaTokenizerFast` saves it.

Per family, `<family>-parity.json` keeps:
- token ids and logits of a few texts in eval mode;
- three optimizer steps with dropout 0, as the Trainer takes them (AdamW, lr 5e-5, weight decay 0.01
  on the parameters `Trainer.get_decay_parameter_names` names, linear schedule over 3 steps, clipping
  at 1.0): per step the batch, the loss, the gradient norm before clipping, the rate used, and the
  eval-mode logits of the first batch after the step;
- the tensor names and config keys `save_pretrained` wrote, for Lectern's own checkpoints to match.
`bpe-tokenizer-parity.json` keeps the BPE tokenizer's ids for edge cases, and the length and a
checksum of the ids of every AG News test text and BBC News article (as tokenizer-parity.json).
"""
import csv
import json
import pathlib
import sys

import torch
from safetensors import safe_open
from tokenizers import AddedToken, ByteLevelBPETokenizer, Tokenizer
from transformers import (AutoTokenizer, DistilBertConfig, DistilBertForSequenceClassification, RobertaConfig,
                          RobertaForSequenceClassification, RobertaTokenizerFast, Trainer, get_linear_schedule_with_warmup)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_tokenizer_fixtures import EDGE_CASES, checksum, read_ag_news, read_bbc  # noqa: E402

LABELS = ["World", "Sports", "Business", "Sci/Tech"]
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures"
BPE_EDGE_CASES = EDGE_CASES + [
    "<s>inside</s> text <pad>", "a <mask> b", "a<mask>b", "  <mask>  spaced", "it's they're we've I'm you'll he'd IT'S",
    "''quoted'' 's 'x", "tabs\tthen\tletters", "a  b   c    d", "trailing spaces   ", "\n\nnewlines\n\n", "num3ric 12345 ½ ⅓ Ⅻ",
    # One very long word (a pasted blob) and a long number: merges over thousands of symbols.
    "".join("etaoinshrdlucmfwyp"[(i * 7919) % 18] for i in range(3000)), "9" * 2000,
]


def trainer_adamw(model, steps):
    """AdamW and the linear schedule as the Trainer builds them; also the names it exempts from weight decay."""
    decay_names = set(Trainer.get_decay_parameter_names(None, model))
    decay = [p for n, p in model.named_parameters() if n in decay_names]
    no_decay = [p for n, p in model.named_parameters() if n not in decay_names]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=5e-5, betas=(0.9, 0.999), eps=1e-8)
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=0, num_training_steps=steps)
    return optimizer, scheduler, sorted(n for n, _ in model.named_parameters() if n not in decay_names)


def unpadded(encoded):
    lengths = encoded["attention_mask"].sum(dim=1).tolist()
    return [encoded["input_ids"][i, :n].tolist() for i, n in enumerate(lengths)]


def family_fixture(name, model_class, config, tokenizer, rows, no_dropout):
    """Saves the model, then records its predictions, three training steps and what save_pretrained wrote."""
    out = FIXTURES / f"tiny-{name}-classifier"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = model_class(config).eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)

    texts = ["Google stock surged after revealing new advancements in quantum computing and AI.",
             rows[0][1], rows[1][1], rows[2][1], "Short text.", " ".join(text for _, text in rows[:20]),
             # A padding token written in the text: RoBERTa gives it the padding position and numbers the rest without it.
             f"Stocks {tokenizer.pad_token} rallied {tokenizer.pad_token}{tokenizer.pad_token} on Friday."]
    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits
    predictions = {"texts": texts, "ids": unpadded(encoded), "labels": [LABELS[i] for i in logits.argmax(-1).tolist()],
                   "probabilities": torch.softmax(logits, dim=-1).tolist(), "logits": logits.tolist()}

    trained = model_class.from_pretrained(out, **no_dropout)
    optimizer, scheduler, no_decay = trainer_adamw(trained, 3)
    batches = [rows[4 * step + 20:4 * step + 24] for step in range(3)]
    first = tokenizer([text for _, text in batches[0]], padding=True, truncation=True, max_length=64, return_tensors="pt")
    steps = []
    for batch in batches:
        trained.train()
        encoded = tokenizer([text for _, text in batch], padding=True, truncation=True, max_length=64, return_tensors="pt")
        labels = [label for label, _ in batch]
        rate = scheduler.get_last_lr()[0]
        loss = trained(**encoded, labels=torch.tensor(labels)).loss
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(trained.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        trained.eval()
        with torch.no_grad():
            after = trained(**first).logits.tolist()
        steps.append({"ids": unpadded(encoded), "labels": labels, "loss": loss.item(), "grad_norm": norm.item(),
                      "learning_rate": rate, "logits_after": after})

    with safe_open(out / "model.safetensors", "pt") as weights:
        saved = {key: list(weights.get_slice(key).get_shape()) for key in weights.keys()}
    fixture = {"predictions": predictions, "steps": steps, "no_decay": no_decay, "saved_tensors": saved,
               "config_keys": sorted(json.loads((out / "config.json").read_text())), "torch": torch.__version__}
    (FIXTURES / f"{name}-parity.json").write_text(json.dumps(fixture, indent=0) + "\n")
    print(f"wrote {out}: labels {predictions['labels']}, losses {[round(s['loss'], 5) for s in steps]}, "
          f"norms {[round(s['grad_norm'], 4) for s in steps]}")


def bpe_tokenizer(bbc_texts):
    """A byte-level BPE tokenizer trained on BBC News, saved and reloaded as RoBERTa's fast tokenizer."""
    trained = ByteLevelBPETokenizer()
    trained.train_from_iterator(bbc_texts, vocab_size=2000, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    return RobertaTokenizerFast(tokenizer_object=trained._tokenizer, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
                                unk_token="<unk>", pad_token="<pad>", mask_token=AddedToken("<mask>", lstrip=True, rstrip=False),
                                model_max_length=128)


def bpe_parity(folder, ag_news_texts, bbc_texts):
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()

    def encode(texts):
        return [e.ids for e in tokenizer.encode_batch(texts)]

    corpora = {}
    for name, texts in [("ag_news_test", ag_news_texts), ("bbc_news", bbc_texts)]:
        ids = encode(texts)
        corpora[name] = {"count": len(texts), "lengths": [len(x) for x in ids], "checksums": [checksum(x) for x in ids],
                         "first_ids": ids[:5]}
    fixture = {"edge_cases": [{"text": text, "ids": ids} for text, ids in zip(BPE_EDGE_CASES, encode(BPE_EDGE_CASES))], "corpora": corpora}
    (FIXTURES / "bpe-tokenizer-parity.json").write_text(json.dumps(fixture, ensure_ascii=False, separators=(",", ":")) + "\n")


def main():
    ag_news, bbc = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    torch.set_num_threads(2)
    with open(ag_news / "test.csv", encoding="utf-8", newline="") as handle:
        rows = [(int(label) - 1, title + " " + description) for label, title, description in csv.reader(handle)]
    labels = {"id2label": dict(enumerate(LABELS)), "label2id": {name: i for i, name in enumerate(LABELS)}}

    wordpiece = AutoTokenizer.from_pretrained(FIXTURES / "tiny-bert-classifier")
    family_fixture("distilbert", DistilBertForSequenceClassification,
                   DistilBertConfig(vocab_size=len(wordpiece), dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=128,
                                    initializer_range=0.4, **labels),
                   wordpiece, rows, {"dropout": 0.0, "attention_dropout": 0.0, "seq_classif_dropout": 0.0})

    bbc_texts = read_bbc(bbc)
    bpe = bpe_tokenizer(bbc_texts)
    family_fixture("roberta", RobertaForSequenceClassification,
                   RobertaConfig(vocab_size=len(bpe), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
                                 max_position_embeddings=130, type_vocab_size=1, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                                 layer_norm_eps=1e-5, initializer_range=0.4, **labels),
                   bpe, rows, {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0})
    bpe_parity(FIXTURES / "tiny-roberta-classifier", [text for _, text in rows], bbc_texts)


if __name__ == "__main__":
    main()
