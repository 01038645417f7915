"""Writes Tests/LecternEngineTests/Fixtures/trainer-knobs.json with the Hugging Face Trainer.

    ~/.cache/lectern-ref/bin/python Tests/reference/make_trainer_fixtures.py

The real `Trainer` on the tiny BERT checkpoint (Fixtures/tiny-bert-classifier), dropout 0, the
training set in dataset order (a SequentialSampler, as Lectern's `shuffle: false`), logging every
step: for each case of TrainingArguments (schedules with their kwargs, AdamW's betas and epsilon,
gradient accumulation, label smoothing, early stopping), the token ids, the labels and the whole
log_history. TrainerKnobParityTests runs Lectern's Trainer on the same ids and compares every entry.
"""
import json
import pathlib
import tempfile

import torch
from torch.utils.data import SequentialSampler
from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, EarlyStoppingCallback,
                          Trainer, TrainingArguments)

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures"
MODEL = FIXTURES / "tiny-bert-classifier"
WORDS = ["world", "sports", "business", "technology"]

BASE = {"learning_rate": 1e-3, "weight_decay": 0.01, "num_train_epochs": 2, "per_device_train_batch_size": 4,
        "per_device_eval_batch_size": 4, "logging_steps": 1, "seed": 42}

CASES = {
    "cosine": {"lr_scheduler_type": "cosine", "warmup_steps": 2},
    "cosine_with_restarts": {"lr_scheduler_type": "cosine_with_restarts", "warmup_steps": 1, "lr_scheduler_kwargs": {"num_cycles": 2}},
    "polynomial": {"lr_scheduler_type": "polynomial", "lr_scheduler_kwargs": {"lr_end": 1e-5, "power": 2.0}},
    "constant_with_warmup": {"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 3},
    "inverse_sqrt": {"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 2},
    "warmup_stable_decay": {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 2, "lr_scheduler_kwargs": {"num_decay_steps": 4}},
    "reduce_lr_on_plateau": {"lr_scheduler_type": "reduce_lr_on_plateau", "eval_strategy": "steps", "eval_steps": 2,
                             "lr_scheduler_kwargs": {"patience": 0, "factor": 0.5, "threshold": 0.3}},
    "adam": {"adam_beta1": 0.8, "adam_beta2": 0.95, "adam_epsilon": 1e-6},
    "gradient_accumulation": {"gradient_accumulation_steps": 2, "logging_steps": 1},
    "gradient_accumulation_uneven": {"gradient_accumulation_steps": 4, "num_train_epochs": 2},
    "label_smoothing": {"label_smoothing_factor": 0.1, "eval_strategy": "epoch"},
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


def run(name, overrides, train, evaluation, tokenizer):
    arguments = dict(BASE, **overrides)
    patience = arguments.pop("early_stopping_patience", None)
    threshold = arguments.pop("early_stopping_threshold", 0.0)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    with tempfile.TemporaryDirectory() as folder:
        training_arguments = TrainingArguments(output_dir=folder, report_to="none", save_strategy=arguments.pop("save_strategy", "no"),
                                               use_cpu=True, disable_tqdm=True, **arguments)
        trainer = InOrderTrainer(model=model, args=training_arguments, train_dataset=train,
                                 eval_dataset=evaluation if training_arguments.eval_strategy != "no" else None,
                                 compute_metrics=accuracy, data_collator=DataCollatorWithPadding(tokenizer),
                                 callbacks=[EarlyStoppingCallback(patience, threshold)] if patience is not None else [])
        trainer.train()
        history = trainer.state.log_history
    return {"name": name, "arguments": dict(BASE, **overrides), "log_history": history}


def main():
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    train, evaluation = examples(tokenizer, 24, 0), examples(tokenizer, 8, 100)
    cases = [run(name, overrides, train, evaluation, tokenizer) for name, overrides in CASES.items()]
    fixture = {"train": [{"ids": row["input_ids"], "label": row["labels"]} for row in train],
               "eval": [{"ids": row["input_ids"], "label": row["labels"]} for row in evaluation], "cases": cases}
    path = FIXTURES / "trainer-knobs.json"
    path.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
