"""Writes Tests/LecternEngineTests/Fixtures/task-metrics.json with scikit-learn and SciPy.

    ~/.cache/lectern-ref/bin/python Tests/reference/make_task_metrics_fixtures.py

Regression: random predictions and truths (some with ties, one constant side) with MSE, RMSE, MAE
(scikit-learn), Pearson and Spearman (SciPy). Multi-label: random logits and 0/1 targets (labels
never true, texts with no label) with subset accuracy and precision, recall and F1 for every
`average` (zero_division=0) at two thresholds, the prediction being sigmoid(logit) >= threshold.
"""
import json
import math
import pathlib
import random
import warnings

import numpy as np
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error, precision_recall_fscore_support


def number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def regression(generator):
    cases = []
    for index in range(12):
        size = generator.choice([2, 5, 40, 300])
        truth = [round(generator.uniform(0, 5), generator.choice([0, 1, 3])) for _ in range(size)]
        predictions = [t + generator.gauss(0, 1) for t in truth]
        if index == 0:
            predictions = [2.5] * size
        if index == 1:
            predictions = [round(p) for p in predictions]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mse = mean_squared_error(truth, predictions)
            cases.append({"truth": truth, "predictions": predictions, "mse": mse, "rmse": math.sqrt(mse),
                          "mae": mean_absolute_error(truth, predictions),
                          "pearson": number(pearsonr(predictions, truth)[0]), "spearman": number(spearmanr(predictions, truth)[0])})
    return cases


def multi_label(generator):
    cases = []
    for index in range(16):
        labels, size = generator.choice([2, 3, 6]), generator.choice([1, 4, 30, 200])
        truth = [[1 if generator.random() < 0.3 else 0 for _ in range(labels)] for _ in range(size)]
        if index % 4 == 0:
            for row in truth:
                row[-1] = 0  # a label no text has
        logits = [[generator.gauss(-0.5, 2) for _ in range(labels)] for _ in range(size)]
        for threshold in (0.5, 0.3):
            predicted = (1 / (1 + np.exp(-np.array(logits))) >= threshold).astype(int)
            case = {"truth": truth, "logits": logits, "threshold": threshold,
                    "subset_accuracy": accuracy_score(np.array(truth), predicted)}
            for average in ("micro", "macro", "weighted", "samples"):
                p, r, f, _ = precision_recall_fscore_support(np.array(truth), predicted, average=average, zero_division=0)
                case[average] = [float(p), float(r), float(f)]
            cases.append(case)
    return cases


def main():
    generator = random.Random(0)
    fixture = {"regression": regression(generator), "multi_label": multi_label(generator)}
    path = pathlib.Path(__file__).resolve().parents[1] / "LecternEngineTests/Fixtures/task-metrics.json"
    path.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
