#!/usr/bin/env python3
"""Writes tests/oracle/slices/<case>/{metadata.csv,expected.json}: evaluation sets
(deterministic) and the slices the `sliceline` package's Slicefinder finds in them, for
several parameter sets. Features are what errata searches over, in its order: the slice
columns as the table orders them, then for classification the true and the predicted
class. The error is 0/1 per misclassified row, the row's WER (jiwer) for transcripts, or
1 where the baseline was right and the model is wrong. The Rust test (tests/oracle.rs)
loads each set as a user would and compares; it needs no Python.

Cases: planted bad conjunctions of two and three predicates; a full factorial design whose
symmetry ties slices at the k-th place; transcripts with a real-valued error; a baseline
whose regressions concentrate in one conjunction; random effects over features of many
sizes, searched four and five predicates deep with small supports.

Needs: pip install sliceline==0.3.0 jiwer numpy pandas
Run:   python3 tests/oracle/make_slice_fixtures.py
"""
import itertools
import json
import os
import warnings

import jiwer
import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from sliceline.slicefinder import Slicefinder  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "slices")


def default_support(n):
    return min(max(n // 100, 10), n)


def run(X, errors, alpha=0.6, k=10, max_l=3, min_sup=None):
    sf = Slicefinder(alpha=alpha, k=k, max_l=max_l,
                     min_sup=default_support(len(X)) if min_sup is None else min_sup,
                     verbose=False)
    sf.fit(X, errors)
    slices = []
    for values, stats in zip(sf.top_slices_, sf.top_slices_statistics_):
        predicates = [[c, v] for c, v in zip(X.columns, values) if v is not None]
        slices.append({
            "predicates": predicates,
            "size": stats["slice_size"],
            "errors": stats["sum_slice_error"],
            "score": stats["slice_score"],
        })
    params = {"alpha": alpha, "k": k, "max_level": max_l}
    if min_sup is not None:
        params["min_support"] = min_sup
    return {"params": params, "min_support_rows": int(sf._min_sup_actual),
            "average_error": sf.average_error_, "slices": slices}


def write(case, table, features, errors, kind, runs):
    out = os.path.join(HERE, case)
    os.makedirs(out, exist_ok=True)
    table.to_csv(os.path.join(out, "metadata.csv"), index=False)
    X = pd.DataFrame({name: table[col].astype(str) for name, col in features})
    expected = {"errors": kind, "features": [name for name, _ in features],
                "runs": [dict(run(X, errors, **r), columns=None) for r in runs]}
    # A run over some features only, as `--columns` restricts them.
    some = [name for name, _ in features][:2]
    restricted = run(X[some], errors, alpha=0.9)
    restricted["columns"] = some
    expected["runs"].append(restricted)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(case, [len(r["slices"]) for r in expected["runs"]])


def classes(table):
    return [(c, c) for c in table.columns if c not in ("id", "label", "prediction", "baseline")] + [
        ("true class", "label"), ("predicted class", "prediction")]


def planted(rng):
    n = 5000
    t = pd.DataFrame({
        "id": [f"p{i:05d}" for i in range(n)],
        "accent": rng.choice(["us", "uk", "scottish", "indian", "irish", "welsh"], n),
        "device": rng.choice(["phone", "tablet", "laptop", "watch"], n, p=[0.4, 0.3, 0.2, 0.1]),
        "noise": rng.choice(["low", "mid", "high"], n),
        "gender": rng.choice(["female", "male"], n),
    })
    label = rng.choice(["yes", "no", "stop", "go", "up"], n)
    p = np.full(n, 0.01)
    p[(t.noise == "high") & (t.device == "phone")] = 0.9
    p[(t.accent == "scottish") & (t.device == "phone")] = 0.9
    p[(t.noise == "high") & (t.gender == "female") & (t.device == "tablet")] = 0.8
    wrong = rng.random(n) < p
    other = rng.choice(["yes", "no", "stop", "go", "up"], n)
    prediction = np.where(wrong, np.where(other == label, "down", other), label)
    t["label"], t["prediction"] = label, prediction
    errors = (t.label != t.prediction).astype(float).to_numpy()
    write("planted", t, classes(t), errors, "misclassified", [
        {},
        {"alpha": 0.95, "k": 5, "max_l": 4, "min_sup": 0.02},
        {"alpha": 0.3, "k": 20, "max_l": 2, "min_sup": 20},
        {"alpha": 1.0, "k": 3, "max_l": 3, "min_sup": 0},
        {"alpha": 0.8, "k": 1, "max_l": 1},
        {"alpha": 0.9},
    ])


def ties():
    # Every combination of a (4) x b (4) x c (3) x d (2) ten times: values of a feature are
    # interchangeable wherever the error pattern is symmetric in them, so scores tie.
    rows = [combo for combo in itertools.product(range(4), range(4), range(3), range(2))
            for _ in range(10)]
    t = pd.DataFrame(rows, columns=["a", "b", "c", "d"])
    for col, names in [("a", "wxyz"), ("b", "pqrs"), ("c", "ijk"), ("d", "mn")]:
        t[col] = [f"{col}_{names[v]}" for v in t[col]]
    bad = ((t.a.isin(["a_w", "a_x"])) & (t.b.isin(["b_p", "b_q"]))) | (t.c == "c_k")
    # Every tenth copy of a bad combination is right, so slices are not all-or-nothing.
    copy = np.arange(len(t)) % 10
    wrong = bad & (copy < 7)
    t.insert(0, "id", [f"t{i:05d}" for i in range(len(t))])
    t["label"] = "on"
    t["prediction"] = np.where(wrong, "off", "on")
    errors = wrong.astype(float).to_numpy()
    write("ties", t, classes(t), errors, "misclassified", [
        {},
        {"k": 1},
        {"k": 3, "alpha": 0.9},
        {"k": 4, "alpha": 0.95, "max_l": 4, "min_sup": 5},
    ])


def transcripts(rng):
    n = 3000
    words = "turn the lights on off in kitchen bedroom please now set a timer for ten minutes".split()
    t = pd.DataFrame({
        "id": [f"w{i:05d}" for i in range(n)],
        "accent": rng.choice(["us", "uk", "scottish", "indian"], n),
        "device": rng.choice(["phone", "speaker", "car"], n),
    })
    refs, hyps = [], []
    for accent, device in zip(t.accent, t.device):
        ref = list(rng.choice(words, rng.integers(3, 9)))
        rate = 0.02 + (0.7 if accent in ("scottish", "indian") and device == "car" else 0) + (
            0.05 if device == "speaker" else 0)
        hyp = []
        for w in ref:
            r = rng.random()
            if r < rate / 2:
                hyp.append(str(rng.choice(words)))
            elif r < rate * 0.8:
                continue
            else:
                hyp.append(w)
            if rng.random() < rate / 5:
                hyp.append(str(rng.choice(words)))
        refs.append(" ".join(ref))
        hyps.append(" ".join(hyp))
    t["label"], t["prediction"] = refs, hyps
    errors = np.array([jiwer.wer(r, h) if h else 1.0 for r, h in zip(refs, hyps)])
    features = [("accent", "accent"), ("device", "device")]
    write("transcripts", t, features, errors, "wer", [
        {},
        {"alpha": 0.9, "k": 4},
        {"alpha": 0.5, "k": 10, "min_sup": 0.05},
        {"alpha": 0.85, "max_l": 2},
    ])


def regressions(rng):
    n = 4000
    t = pd.DataFrame({
        "id": [f"r{i:05d}" for i in range(n)],
        "device": rng.choice(["phone", "watch", "car"], n),
        "room": rng.choice(["kitchen", "office", "street"], n),
        "speaker_age": rng.choice(["child", "adult", "senior"], n),
    })
    classes_ = ["cat", "dog", "bird", "fish"]
    label = rng.choice(classes_, n)
    base_wrong = rng.random(n) < 0.15
    p = np.full(n, 0.03)
    p[(t.device == "watch") & (t.room == "street")] = 0.7
    new_wrong = rng.random(n) < p
    shift = lambda arr: np.array([classes_[(classes_.index(x) + 1) % 4] for x in arr])
    t["label"] = label
    t["prediction"] = np.where(new_wrong, shift(label), label)
    t["baseline"] = np.where(base_wrong, shift(label), label)
    errors = ((t.baseline == t.label) & (t.prediction != t.label)).astype(float).to_numpy()
    write("regressions", t, classes(t), errors, "regressions", [
        {},
        {"alpha": 0.9, "k": 3},
    ])


def lattice(rng):
    # Features of 2 to 12 values with random effects on the error: deep lattices (four
    # predicates, small support) where the package's pruning decides what survives.
    n = 2000
    sizes = [2, 3, 5, 7, 12, 4]
    t = pd.DataFrame({"id": [f"l{i:05d}" for i in range(n)]})
    logit = np.full(n, -2.5)
    for f, size in enumerate(sizes):
        codes = rng.integers(0, size, n)
        t[f"f{f}"] = [f"v{c:02d}" for c in codes]
        logit += rng.normal(0, 1.0, size)[codes]
    wrong = rng.random(n) < 1 / (1 + np.exp(-logit))
    t["label"] = "a"
    t["prediction"] = np.where(wrong, "b", "a")
    errors = wrong.astype(float)
    write("lattice", t, classes(t), errors, "misclassified", [
        {"alpha": 0.7, "max_l": 4, "min_sup": 5},
        {"alpha": 0.9, "k": 15, "max_l": 4, "min_sup": 8},
        {"alpha": 0.99, "k": 7, "max_l": 5, "min_sup": 3},
        {"alpha": 0.95, "k": 10, "max_l": 3, "min_sup": 0.01},
    ])


def main():
    rng = np.random.default_rng(19)
    planted(rng)
    ties()
    transcripts(rng)
    regressions(rng)
    lattice(rng)


if __name__ == "__main__":
    main()
