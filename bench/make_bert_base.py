"""Writes a bert-base-shaped model with random weights, as transformers saves it from a config:
12 layers, hidden size 768, 12 heads, intermediate size 3072 (BertConfig's defaults, those of
bert-base-uncased), with all-MiniLM-L6-v2's tokenizer files (the same uncased vocabulary).
The benchmark trains it on the course configuration, to show how the cost grows with the model.

    python bench/make_bert_base.py OUTPUT_FOLDER TOKENIZER_FOLDER
"""
import pathlib
import shutil
import sys

import torch
from transformers import BertConfig, BertModel


def main():
    output, tokenizer = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    torch.manual_seed(0)
    BertModel(BertConfig()).save_pretrained(output, safe_serialization=True)
    for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
        if (tokenizer / name).exists():
            shutil.copy(tokenizer / name, output / name)
    print(output)


if __name__ == "__main__":
    main()
