#!/usr/bin/env python3
"""Writes tests/oracle/agreement.json: annotator label sets (deterministic) with Cohen's kappa
per pair (scikit-learn), Fleiss' kappa over the complete rows (statsmodels) and
Krippendorff's alpha, nominal (the krippendorff package). The Rust tests compare
errata::model::agreement with these; they need no Python.

Needs: pip install scikit-learn statsmodels krippendorff cleanlab numpy
Run:   python3 tests/oracle/make_agreement_fixtures.py
"""
import itertools
import json
import math
import os
import random

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(11)


def annotate(rows, annotators, classes, accuracy, missing, confusions=None):
    """Each row has a truth; each annotator gives it with probability `accuracy`, else a
    confusable or random class; some annotations are missing."""
    out = []
    for _ in range(rows):
        truth = rng.choice(classes)
        row = []
        for _ in range(annotators):
            if rng.random() < missing:
                row.append(None)
            elif rng.random() < accuracy:
                row.append(truth)
            elif confusions and truth in confusions:
                row.append(confusions[truth])
            else:
                row.append(rng.choice(classes))
        out.append(row)
    return out


SETS = {
    # Three annotators, scratch and dent mixed up, a few missing annotations.
    "three_annotators_missing": annotate(200, 3, [0, 1, 2, 3], 0.8, 0.08, {1: 2, 2: 1}),
    # Five annotators, labels drawn from 0..5 but class 5 never used by anyone.
    "five_annotators_unused_class": [
        [min(v, 4) if v is not None else None for v in row]
        for row in annotate(150, 5, [0, 1, 2, 3, 4, 5], 0.6, 0.0)
    ],
    # Two annotators, little agreement, many missing.
    "two_annotators_sparse": annotate(120, 2, [0, 1, 2], 0.3, 0.3),
    # Four annotators, almost always agreeing.
    "four_annotators_high": annotate(100, 4, [0, 1], 0.97, 0.02),
}


def number(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def expected(rows):
    k = len(rows[0])
    pairs = []
    for a, b in itertools.combinations(range(k), 2):
        both = [(r[a], r[b]) for r in rows if r[a] is not None and r[b] is not None]
        kappa = cohen_kappa_score([x for x, _ in both], [y for _, y in both]) if both else None
        pairs.append({"a": a, "b": b, "cohen_kappa": number(kappa), "n": len(both)})
    complete = [r for r in rows if all(v is not None for v in r)]
    table, _ = aggregate_raters(np.array(complete))
    fleiss = fleiss_kappa(table, method="fleiss")
    data = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float).T
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    return {
        "pairs": pairs,
        "fleiss_kappa": number(fleiss),
        "fleiss_excluded": len(rows) - len(complete),
        "krippendorff_alpha": number(alpha),
    }


fixtures = {name: {"rows": rows, **expected(rows)} for name, rows in SETS.items()}
with open(os.path.join(HERE, "agreement.json"), "w") as f:
    json.dump(fixtures, f, indent=1)
print("wrote", os.path.join(HERE, "agreement.json"))


# --- Whole datasets: annotator columns and class probabilities, loaded by errata itself ---
# Each set is a CSV table (tests/oracle/labels/<name>.csv) with the figures the reference
# libraries give for it (<name>.json): Cohen's kappa per pair, Fleiss' kappa, Krippendorff's
# alpha, and cleanlab's find_label_issues(filter_by="prune_by_noise_rate") ranked by
# self-confidence.
from cleanlab.filter import find_label_issues

np_rng = np.random.default_rng(5)


def dataset(rows, classes, annotators, flip, missing, unused_by_annotators=None):
    names = [f"c{i}" for i in range(classes)]
    truth = np_rng.integers(0, classes, rows)
    # The given label is wrong on a share of rows; the model tends to see the truth.
    given = np.where(np_rng.random(rows) < flip, np_rng.integers(0, classes, rows), truth)
    logits = np_rng.normal(0, 1, (rows, classes))
    logits[np.arange(rows), truth] += 2.5
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    table = []
    labels = []
    for i in range(rows):
        row = {
            "id": f"r{i:05d}",
            "label": names[given[i]],
            "prediction": names[int(np.argmax(probs[i]))],
            "confidence": repr(float(np.max(probs[i]))),
            "device": ["phone", "tablet", "laptop"][int(np_rng.integers(0, 3))],
        }
        votes = []
        for a in range(annotators):
            if np_rng.random() < missing:
                v = None
            elif np_rng.random() < 0.75:
                v = int(truth[i])
            else:
                v = int(np_rng.integers(0, classes))
            if v is not None and v == unused_by_annotators:
                v = (v + 1) % classes
            votes.append(v)
            row[f"annotator_{a + 1}"] = "" if v is None else names[v]
        for c in range(classes):
            row[f"prob_{names[c]}"] = repr(float(probs[i, c]))
        table.append(row)
        labels.append(votes)
    ranked = find_label_issues(
        given,
        probs,
        filter_by="prune_by_noise_rate",
        return_indices_ranked_by="self_confidence",
        n_jobs=1,
    )
    issues = [
        {
            "id": table[i]["id"],
            "given": names[given[i]],
            "self_confidence": float(probs[i, given[i]]),
        }
        for i in ranked
    ]
    figures = expected(labels)
    return table, {
        "annotators": [f"annotator_{a + 1}" for a in range(annotators)],
        "pairs": figures["pairs"],
        "fleiss_kappa": figures["fleiss_kappa"],
        "fleiss_excluded": figures["fleiss_excluded"],
        "krippendorff_alpha": figures["krippendorff_alpha"],
        "label_issues": issues,
    }


LABEL_SETS = {
    "three_classes": dict(rows=300, classes=3, annotators=3, flip=0.15, missing=0.1),
    "five_classes_unused": dict(
        rows=500, classes=5, annotators=4, flip=0.1, missing=0.05, unused_by_annotators=4
    ),
    "ten_classes_noisy": dict(rows=1000, classes=10, annotators=2, flip=0.3, missing=0.2),
}

for name, spec in LABEL_SETS.items():
    table, result = dataset(**spec)
    columns = list(table[0].keys())
    with open(os.path.join(HERE, "labels", f"{name}.csv"), "w") as f:
        f.write(",".join(columns) + "\n")
        for row in table:
            f.write(",".join(row[c] for c in columns) + "\n")
    with open(os.path.join(HERE, "labels", f"{name}.json"), "w") as f:
        json.dump(result, f, indent=1)
    print("wrote", name, len(result["label_issues"]), "label issues")
