#!/usr/bin/env python3
"""Writes tests/oracle/agreement.json: annotator label sets (deterministic) with Cohen's kappa
per pair (scikit-learn), Fleiss' kappa over the complete rows (statsmodels) and
Krippendorff's alpha, nominal (the krippendorff package). The Rust tests compare
errata::model::agreement with these; they need no Python.

Needs: pip install scikit-learn statsmodels krippendorff numpy
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
