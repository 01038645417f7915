"""Writes DistilBERT and RoBERTa classifiers of their Hub models' full size (distilbert-base-uncased,
roberta-base), with random weights, for `make family-check`.

    ~/.cache/lectern-ref/bin/python Tests/reference/make_full_size_families.py OUTPUT_FOLDER MODEL_FOLDER

The Hub is not reachable here, so the shapes come from the configs those models publish and the
weights from torch.manual_seed(0); the folders are written by `save_pretrained` as a fine-tuned
checkpoint would be (about 270 MB and 500 MB, outside the repository). DistilBERT takes the
tokenizer of MODEL_FOLDER (all-MiniLM-L6-v2's uncased vocabulary is bert-base-uncased's, which
distilbert-base-uncased uses); RoBERTa takes the tiny byte-level BPE fixture's.
"""
import pathlib
import sys

import torch
from transformers import (AutoTokenizer, DistilBertConfig, DistilBertForSequenceClassification, RobertaConfig,
                          RobertaForSequenceClassification)

LABELS = {"id2label": dict(enumerate(["World", "Sports", "Business", "Sci/Tech"])),
          "label2id": {"World": 0, "Sports": 1, "Business": 2, "Sci/Tech": 3}}
FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures"


def main():
    output, model_folder = pathlib.Path(sys.argv[1]), sys.argv[2]
    torch.manual_seed(0)
    families = [
        ("distilbert-base-uncased", DistilBertForSequenceClassification(DistilBertConfig(**LABELS)), AutoTokenizer.from_pretrained(model_folder)),
        ("roberta-base", RobertaForSequenceClassification(RobertaConfig(vocab_size=50265, max_position_embeddings=514, type_vocab_size=1,
                                                                         layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2, **LABELS)),
         AutoTokenizer.from_pretrained(FIXTURES / "tiny-roberta-classifier")),
    ]
    for name, model, tokenizer in families:
        model.save_pretrained(output / name)
        tokenizer.save_pretrained(output / name)
        print(f"wrote {output / name}: {sum(p.numel() for p in model.parameters()):,} parameters")


if __name__ == "__main__":
    main()
