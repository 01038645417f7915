"""Writes Tests/LecternEngineTests/Fixtures/metrics.json with scikit-learn.

    ~/.cache/lectern-ref/bin/python Tests/reference/make_metrics_fixtures.py

Random label and prediction lists (some classes never predicted, some never present), with
accuracy and precision/recall/F1 for every `average` and both `zero_division` values.
"""
import json
import pathlib
import random
import warnings

from sklearn.metrics import accuracy_score, precision_recall_fscore_support


def main():
    warnings.simplefilter("ignore")
    generator = random.Random(0)
    cases = []
    for index in range(40):
        labels = generator.choice([2, 3, 4, 5])
        size = generator.choice([1, 5, 20, 200])
        truth = [generator.randrange(labels) for _ in range(size)]
        # Skewed predictions, so that some classes are never predicted.
        predictions = [t if generator.random() < 0.6 else generator.randrange(max(1, labels - 1)) for t in truth]
        case = {"labels": labels, "truth": truth, "predictions": predictions, "accuracy": accuracy_score(truth, predictions)}
        for zero_division in (0, 1):
            for average in ("micro", "macro", "weighted", None):
                p, r, f, _ = precision_recall_fscore_support(truth, predictions, average=average, labels=list(range(labels)),
                                                             zero_division=zero_division)
                key = f"{average}_{zero_division}"
                case[key] = [list(map(float, p)), list(map(float, r)), list(map(float, f))] if average is None else [float(p), float(r), float(f)]
        cases.append(case)
    out = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests" / "Fixtures" / "metrics.json"
    out.write_text(json.dumps(cases) + "\n")
    print(f"wrote {out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
