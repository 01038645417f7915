"""Writes Tests/LecternDataTests/Fixtures/splits.json with the real `datasets` and NumPy.

Run from the repository root with the reference environment (see docs/testing.md):
    ~/.cache/lectern-ref/bin/python Tests/reference/make_split_fixtures.py

Records, for many (n, test_size, train_size, seed, shuffle) cases, the indices that
`datasets.Dataset.train_test_split` puts in each part (their first 12 and a checksum of the
whole list), the raw PCG64 output of `numpy.random.default_rng(seed)`, and the row ranges
that split expressions such as `train[:10%]` select.
"""
import json
import pathlib

import datasets
import numpy as np
from datasets.arrow_reader import ReadInstruction

MASK64 = (1 << 64) - 1


def checksum(indices):
    """A position-sensitive checksum that the Swift test computes the same way."""
    value = 0
    for index in indices:
        value = (value * 1_000_003 + int(index) + 1) & MASK64
    return str(value)


def split_case(n, test_size, train_size, seed, shuffle):
    table = datasets.Dataset.from_dict({"row": list(range(n))})
    parts = table.train_test_split(test_size=test_size, train_size=train_size, seed=seed, shuffle=shuffle)
    train, test = parts["train"]["row"], parts["test"]["row"]
    return {
        "n": n, "test_size": test_size, "train_size": train_size, "seed": seed, "shuffle": shuffle,
        "n_train": len(train), "n_test": len(test),
        "train_head": train[:12], "test_head": test[:12],
        "train_checksum": checksum(train), "test_checksum": checksum(test),
    }


def main():
    datasets.disable_caching()
    datasets.utils.logging.disable_progress_bar()
    cases = []
    for n in [2, 3, 5, 10, 37, 100, 1000, 2225, 7600]:
        for test_size in [0.1, 0.2, 0.25, 0.5, 0.9, 1]:
            for seed in [0, 1, 42, 1234, 2**32 - 1, 2**40 + 7]:
                if isinstance(test_size, int) and test_size >= n:
                    continue
                if n - (test_size if isinstance(test_size, int) else -(-test_size * n // 1)) < 1:
                    continue
                cases.append(split_case(n, test_size, None, seed, True))
    for n, test_size, train_size in [(1000, 200, None), (1000, None, 0.7), (1000, 0.1, 0.5), (100, 30, 50), (10, 3, None)]:
        cases.append(split_case(n, test_size, train_size, 42, True))
    for n, test_size in [(1000, 0.2), (10, 3)]:
        cases.append(split_case(n, test_size, None, 42, False))

    raw = {}
    for seed in [0, 1, 42, 2**32 - 1, 2**40 + 7]:
        generator = np.random.default_rng(seed)
        raw[str(seed)] = [str(v) for v in generator.bit_generator.random_raw(6)]

    expressions = []
    for n in [7, 100, 1000, 1001, 10429, 120000]:
        for spec in ["train", "train[:1000]", "train[10:20]", "train[:10%]", "train[-200:]", "train[-10%:]",
                     "train[33%:67%]", "train[:5%]", "train[25%:]", "train[:-1]", "train[5:3]", "train[1_000:]", "train[:0]"]:
            absolute = ReadInstruction.from_spec(spec).to_absolute({"train": n})[0]
            expressions.append({"n": n, "spec": spec, "from": absolute.from_, "to": absolute.to})

    fixture = {"numpy": np.__version__, "datasets": datasets.__version__,
               "splits": cases, "raw": raw, "expressions": expressions}
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternDataTests" / "Fixtures" / "splits.json"
    out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {out} ({len(cases)} split cases, {len(expressions)} expressions)")


if __name__ == "__main__":
    main()
