"""Writes Tests/LecternEngineTests/Fixtures/trainer-knobs.json with the Hugging Face Trainer.

    ~/.cache/lectern-ref/bin/python Tests/reference/make_trainer_fixtures.py

The real `Trainer` on the tiny BERT checkpoint (Fixtures/tiny-bert-classifier), dropout 0, the
training set in dataset order (a SequentialSampler, as Lectern's `shuffle: false`), logging every
step: for each case of TrainingArguments (schedules with their kwargs, AdamW's betas and epsilon,
gradient accumulation, label smoothing, early stopping), the token ids, the labels and the whole
log_history. TrainerKnobParityTests runs Lectern's Trainer on the same ids and compares every entry.

Two cases train other tasks: `regression` (a score per text, on Fixtures/tiny-bert-regressor, which
this script saves: the tiny BERT with a one-output head drawn by transformers, problem_type
regression) and `multi_label` (label sets as 1.0/0.0 per label, problem_type
multi_label_classification), with their targets in the case.
"""
import json
import pathlib
import tempfile

import numpy as np

import torch
from torch.utils.data import SequentialSampler
from scipy.stats import pearsonr
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, EarlyStoppingCallback,
                          Trainer, TrainingArguments)

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures"
MODEL = FIXTURES / "tiny-bert-classifier"
REGRESSOR = FIXTURES / "tiny-bert-regressor"
WORDS = ["world", "sports", "business", "technology"]

BASE = {"learning_rate": 1e-3, "weight_decay": 0.01, "num_train_epochs": 2, "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 4, "logging_steps": 1, "seed": 42}

CASES = {
    "cosine": {"lr_scheduler_type": "cosine", "warmup_steps": 2},
    "cosine_with_restarts": {"lr_scheduler_type": "cosine_with_restarts", "warmup_steps": 1, "lr_scheduler_kwargs": {"num_cycles": 2}},
    "polynomial": {"lr_scheduler_type": "polynomial", "lr_scheduler_kwargs": {"lr_end": 1e-5, "power": 2.0}},
    "constant_with_warmup": {"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 3},
    "constant": {"lr_scheduler_type": "constant", "warmup_steps": 3},
    "cosine_with_min_lr": {"lr_scheduler_type": "cosine_with_min_lr", "warmup_steps": 2, "lr_scheduler_kwargs": {"min_lr_rate": 0.1}},
    "inverse_sqrt": {"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 2},
    "warmup_stable_decay": {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 2, "lr_scheduler_kwargs": {"num_decay_steps": 4}},
    "reduce_lr_on_plateau": {"lr_scheduler_type": "reduce_lr_on_plateau", "eval_strategy": "steps", "eval_steps": 2,
                             "lr_scheduler_kwargs": {"patience": 0, "factor": 0.5, "threshold": 0.3}},
    "adam": {"adam_beta1": 0.8, "adam_beta2": 0.95, "adam_epsilon": 1e-6},
    "gradient_accumulation": {"gradient_accumulation_steps": 2, "logging_steps": 1},
    "gradient_accumulation_uneven": {"gradient_accumulation_steps": 4, "num_train_epochs": 2},
    "label_smoothing": {"label_smoothing_factor": 0.1, "eval_strategy": "epoch"},
    "regression": {"eval_strategy": "epoch", "task": "regression"},
    "multi_label": {"eval_strategy": "epoch", "task": "multi_label_classification"},
    "early_stopping": {"eval_strategy": "steps", "eval_steps": 1, "save_strategy": "steps", "save_steps": 1, "num_train_epochs": 6,
                       "load_best_model_at_end": True, "metric_for_best_model": "accuracy", "learning_rate": 3e-3,
                       "early_stopping_patience": 2, "early_stopping_threshold": 0.0},
}


class InOrderTrainer(Trainer):
    def _get_train_sampler(self, *args, **kwargs):
        return SequentialSampler(self.train_dataset)


def examples(tokenizer, count, offset):
    rows = []
    for index in range(offset, offset + count):
        label = index % 4
        encoded = tokenizer(f"the {WORDS[label]} news of day {index % 7}")
        rows.append({"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"], "labels": label})
    return rows


def accuracy(prediction):
    return {"accuracy": float((prediction.predictions.argmax(-1) == prediction.label_ids).mean())}


def regression_metrics(prediction):
    predictions, truth = prediction.predictions.reshape(-1), prediction.label_ids
    return {"mse": float(((predictions - truth) ** 2).mean()), "pearson": float(pearsonr(predictions, truth)[0])}


def subset_accuracy(prediction):
    predicted = 1 / (1 + np.exp(-prediction.predictions)) >= 0.5
    return {"accuracy": float((predicted == (prediction.label_ids >= 0.5)).all(axis=1).mean())}


def score(row, index):
    """A regression target: the class, stretched, plus a little of the row's position."""
    return row["labels"] * 0.75 + (index % 5) * 0.1


def label_set(row, index):
    """A multi-label target: the class, and for every third row the next class too."""
    hot = [0.0] * len(WORDS)
    hot[row["labels"]] = 1.0
    if index % 3 == 0:
        hot[(row["labels"] + 1) % len(WORDS)] = 1.0
    return hot


def with_targets(rows, task):
    if task == "regression":
        return [dict(row, labels=score(row, index)) for index, row in enumerate(rows)]
    if task == "multi_label_classification":
        return [dict(row, labels=label_set(row, index)) for index, row in enumerate(rows)]
    return rows


def save_regressor(tokenizer):
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=1, problem_type="regression", ignore_mismatched_sizes=True,
                                                               id2label={0: "LABEL_0"}, label2id={"LABEL_0": 0})
    model.save_pretrained(REGRESSOR)
    tokenizer.save_pretrained(REGRESSOR)


def run(name, overrides, train, evaluation, tokenizer):
    arguments = dict(BASE, **overrides)
    patience = arguments.pop("early_stopping_patience", None)
    threshold = arguments.pop("early_stopping_threshold", 0.0)
    task = arguments.pop("task", "single_label_classification")
    train, evaluation = with_targets(train, task), with_targets(evaluation, task)
    torch.manual_seed(0)
    if task == "regression":
        model = AutoModelForSequenceClassification.from_pretrained(REGRESSOR)
    else:
        model = AutoModelForSequenceClassification.from_pretrained(MODEL, problem_type=task)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    with tempfile.TemporaryDirectory() as folder:
        training_arguments = TrainingArguments(output_dir=folder, report_to="none", save_strategy=arguments.pop("save_strategy", "no"),
                                               use_cpu=True, disable_tqdm=True, **arguments)
        trainer = InOrderTrainer(model=model, args=training_arguments, train_dataset=train,
                                 eval_dataset=evaluation if training_arguments.eval_strategy != "no" else None,
                                 compute_metrics={"regression": regression_metrics, "multi_label_classification": subset_accuracy}.get(task, accuracy),
                                 data_collator=DataCollatorWithPadding(tokenizer),
                                 callbacks=[EarlyStoppingCallback(patience, threshold)] if patience is not None else [])
        trainer.train()
        history = trainer.state.log_history
    case = {"name": name, "arguments": {k: v for k, v in dict(BASE, **overrides).items() if k != "task"}, "log_history": history}
    if task != "single_label_classification":
        case["task"] = task
        case["targets"] = {"train": [row["labels"] for row in train], "eval": [row["labels"] for row in evaluation]}
    return case


def main():
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    save_regressor(tokenizer)
    train, evaluation = examples(tokenizer, 24, 0), examples(tokenizer, 8, 100)
    cases = [run(name, overrides, train, evaluation, tokenizer) for name, overrides in CASES.items()]
    fixture = {"train": [{"ids": row["input_ids"], "label": row["labels"]} for row in train],
               "eval": [{"ids": row["input_ids"], "label": row["labels"]} for row in evaluation], "cases": cases}
    path = FIXTURES / "trainer-knobs.json"
    path.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
