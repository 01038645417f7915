"""Writes Tests/LecternEngineTests/Fixtures/schedules.json with transformers and PyTorch.

    ~/.cache/lectern-ref/bin/python Tests/reference/make_schedule_fixtures.py

For every `lr_scheduler_type` Lectern runs: the learning rate of each step of a whole run, as the
Trainer reads it (`get_scheduler(...)`, the rate of step i before `scheduler.step()`), with and
without warm-up and with `lr_scheduler_kwargs`. For `reduce_lr_on_plateau`: the rate after each of
a sequence of evaluation metrics. For AdamW: torch.optim.AdamW's parameters after each of six steps
with other betas and epsilon than the defaults.
"""
import json
import pathlib

import torch
from transformers import get_scheduler

PEAK = 5e-5
TOTAL = 60

CASES = [
    ("linear", 0, {}), ("linear", 6, {}),
    ("cosine", 0, {}), ("cosine", 6, {}), ("cosine", 6, {"num_cycles": 1.5}),
    ("cosine_with_restarts", 6, {}), ("cosine_with_restarts", 6, {"num_cycles": 3}),
    ("polynomial", 6, {}), ("polynomial", 6, {"lr_end": 1e-6, "power": 2.0}),
    ("constant", 6, {}), ("constant_with_warmup", 6, {}),
    ("inverse_sqrt", 6, {}), ("inverse_sqrt", 0, {}), ("inverse_sqrt", 6, {"timescale": 20}),
    ("cosine_with_min_lr", 6, {"min_lr": 1e-6}), ("cosine_with_min_lr", 6, {"min_lr_rate": 0.1, "num_cycles": 1.0}),
    ("warmup_stable_decay", 6, {"num_decay_steps": 20}),
    ("warmup_stable_decay", 10, {"num_decay_steps": 30, "num_stable_steps": 10, "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.1}),
    ("warmup_stable_decay", 10, {"num_decay_steps": 25, "warmup_type": "1-sqrt", "decay_type": "linear"}),
]

PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.9, 0.899, 0.97, 0.96, 0.95, 0.94, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
PLATEAU_CASES = [{"patience": 2}, {"patience": 1, "factor": 0.5, "cooldown": 2}, {"mode": "max", "patience": 0, "threshold_mode": "abs", "threshold": 0.01},
                 {"patience": 0, "min_lr": 2e-5}]


def optimizer():
    return torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=PEAK)


def schedules():
    out = []
    for kind, warmup, kwargs in CASES:
        opt = optimizer()
        scheduler = get_scheduler(kind, opt, num_warmup_steps=warmup, num_training_steps=TOTAL, scheduler_specific_kwargs=dict(kwargs))
        rates = []
        for _ in range(TOTAL):
            rates.append(scheduler.get_last_lr()[0])
            opt.step()
            scheduler.step()
        out.append({"kind": kind, "warmup": warmup, "total": TOTAL, "peak": PEAK,
                    "kwargs": {k: str(v) for k, v in kwargs.items()}, "rates": rates})
    return out


def plateaus():
    out = []
    for kwargs in PLATEAU_CASES:
        opt = optimizer()
        scheduler = get_scheduler("reduce_lr_on_plateau", opt, scheduler_specific_kwargs=dict(kwargs))
        rates = []
        for metric in PLATEAU_METRICS:
            scheduler.step(metric)
            rates.append(opt.param_groups[0]["lr"])
        out.append({"kwargs": {k: str(v) for k, v in kwargs.items()}, "metrics": PLATEAU_METRICS, "rates": rates})
    return out


def adamw():
    generator = torch.Generator().manual_seed(0)
    start = torch.randn(40, generator=generator)
    gradients = [torch.randn(40, generator=generator) for _ in range(6)]
    parameter = torch.nn.Parameter(start.clone())
    opt = torch.optim.AdamW([parameter], lr=1e-2, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.01)
    after = []
    for gradient in gradients:
        parameter.grad = gradient.clone()
        opt.step()
        after.append(parameter.detach().tolist())
    return {"lr": 1e-2, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.01, "start": start.tolist(),
            "gradients": [g.tolist() for g in gradients], "after": after}


def main():
    fixture = {"schedules": schedules(), "plateau": plateaus(), "adamw": adamw()}
    path = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests/Fixtures/schedules.json"
    path.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
