"""The Hugging Face Trainer on the course configuration, as the lesson runs it; prints one JSON object.

    python bench/reference_train.py AG_NEWS_FOLDER MODEL_FOLDER SEED PADDING [TRAIN_ROWS] [--bf16]

PADDING is `max_length` (the lesson: every text padded to 512 tokens) or `longest` (dynamic
padding per batch). AG News train[:1000], train_test_split(test_size=0.2, seed=42), 4 labels,
1 epoch, batch 8/8, weight decay 0.01, logging every 10 steps, evaluation and saving every
epoch, best model loaded at the end, accuracy measured on the 200 test rows; 2 threads.

With TRAIN_ROWS, the larger configuration of bench/ag-news-10k.md instead: train[:TRAIN_ROWS],
no evaluation or saving during training, then accuracy and macro F1 on the 7,600 test rows.
With --bf16, TrainingArguments(bf16=True): torch's CPU autocast to bfloat16 in training and evaluation.
"""
import csv
import json
import pathlib
import resource
import sys
import tempfile
import time

import numpy as np
import torch
from datasets import Dataset
from transformers import (AutoTokenizer, BertForSequenceClassification, DataCollatorWithPadding, Trainer,
                          TrainingArguments)


def main():
    bf16 = "--bf16" in sys.argv
    positional = [argument for argument in sys.argv[1:] if argument != "--bf16"]
    ag_news, model_folder, seed, padding = positional[0], positional[1], int(positional[2]), positional[3]
    train_rows = int(positional[4]) if len(positional) > 4 else None
    torch.set_num_threads(2)

    def read(split):
        with open(pathlib.Path(ag_news) / f"{split}.csv", encoding="utf-8", newline="") as handle:
            rows = [(title + " " + description, int(label) - 1) for label, title, description in csv.reader(handle)]
        return Dataset.from_dict({"text": [t for t, _ in rows], "label": [l for _, l in rows]})

    if train_rows:
        data = {"train": read("train").select(range(train_rows)), "test": read("test")}
    else:
        data = read("train").select(range(1000)).train_test_split(test_size=0.2, seed=42)
    tokenizer = AutoTokenizer.from_pretrained(model_folder)

    def tokenize(batch):
        if padding == "max_length":
            return tokenizer(batch["text"], padding="max_length", truncation=True)
        return tokenizer(batch["text"], truncation=True)

    tokenized = {}
    for split, rows in data.items():
        tokenized[split] = rows.map(tokenize, batched=True).rename_column("label", "labels")
        tokenized[split].set_format("torch", columns=["input_ids", "attention_mask", "labels"])

    def metrics(prediction):
        predicted, labels = prediction.predictions.argmax(-1), prediction.label_ids
        f1 = [2 * ((predicted == c) & (labels == c)).sum() / max(1, (predicted == c).sum() + (labels == c).sum()) for c in range(4)]
        return {"accuracy": float((predicted == labels).mean()), "f1": float(np.mean(f1))}

    with tempfile.TemporaryDirectory() as output:
        during = dict(logging_steps=100, eval_strategy="no", save_strategy="no") if train_rows else \
            dict(logging_steps=10, eval_strategy="epoch", save_strategy="epoch", load_best_model_at_end=True)
        arguments = TrainingArguments(output_dir=output, num_train_epochs=1, per_device_train_batch_size=8,
                                      per_device_eval_batch_size=8, weight_decay=0.01, seed=seed, report_to=[],
                                      disable_tqdm=True, use_cpu=True, bf16=bf16, **during)
        model = BertForSequenceClassification.from_pretrained(model_folder, num_labels=4)
        trainer = Trainer(model=model, args=arguments, train_dataset=tokenized["train"], eval_dataset=tokenized["test"],
                          data_collator=None if padding == "max_length" else DataCollatorWithPadding(tokenizer),
                          compute_metrics=metrics)
        start = time.perf_counter()
        train = trainer.train()
        runtime = time.perf_counter() - start
        evaluation = trainer.evaluate()
    print(json.dumps({"seed": seed, "padding": padding, "bf16": bf16, "train_rows": len(tokenized["train"]), "eval_rows": len(tokenized["test"]),
                      "train_runtime": train.metrics["train_runtime"], "eval_f1": evaluation["eval_f1"],
                      "train_samples_per_second": train.metrics["train_samples_per_second"], "wall_seconds": runtime,
                      "eval_accuracy": evaluation["eval_accuracy"], "eval_loss": evaluation["eval_loss"],
                      "eval_runtime": evaluation["eval_runtime"], "eval_samples_per_second": evaluation["eval_samples_per_second"],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
