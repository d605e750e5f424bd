#!/usr/bin/env python3
"""Writes the oracle datasets in tests/data/oracle/ (deterministically) and the expected
figures in tests/oracle/fixtures.json, computed by scikit-learn, jiwer and statsmodels.
The Rust tests compare errata's figures with these; they need no Python.

Needs: pip install scikit-learn jiwer pandas statsmodels
Run:   python3 tests/oracle/make_fixtures.py
"""
import json
import os
import random

import jiwer
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from statsmodels.stats.proportion import proportion_confint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "oracle")
rng = random.Random(7)


def write_datasets():
    os.makedirs(DATA, exist_ok=True)
    # Multi-class with a class never predicted (owl) and one only predicted (zebra).
    classes = ["cat", "dog", "bird", "fish", "horse", "owl"]
    rows = []
    for i in range(300):
        truth = rng.choices(classes, weights=[30, 25, 15, 10, 15, 5])[0]
        u = rng.random()
        pred = truth if u < 0.7 and truth != "owl" else rng.choice(["cat", "dog", "bird", "fish", "horse", "zebra"])
        rows.append({"id": f"m{i:04d}", "label": truth, "prediction": pred,
                     "confidence": round(rng.random(), 3), "region": rng.choice(["north", "south", "east"])})
    pd.DataFrame(rows).to_csv(os.path.join(DATA, "multiclass.csv"), index=False)
    # Skewed binary task with integer labels and different column names.
    rows = []
    for i in range(500):
        truth = 1 if rng.random() < 0.05 else 0
        pred = truth if rng.random() < 0.9 else 1 - truth
        rows.append({"sample_id": i, "y_true": truth, "y_pred": pred})
    pd.DataFrame(rows).to_csv(os.path.join(DATA, "binary_skewed.tsv"), sep="\t", index=False)
    # Integer class names that sort differently as text (2 < 10 numerically).
    rows = [{"id": f"n{i}", "target": rng.choice([1, 2, 10, 33]), "pred": rng.choice([1, 2, 10, 33])} for i in range(120)]
    pd.DataFrame(rows).to_csv(os.path.join(DATA, "numeric_classes.csv"), index=False)
    # Transcripts with case, punctuation, extra spaces, unicode and an empty hypothesis.
    sentences = ["Turn on the lights.", "what's the  weather in Zürich", "call Mom", "set a timer for ten minutes",
                 "play the news", "navigate home, please", "café near me", "stop"]
    words = ["the", "a", "on", "lights", "home", "timer", "news", "mom", "please", "zurich"]
    rows = []
    for i in range(80):
        ref = rng.choice(sentences)
        hyp = ref.split(" ")
        for _ in range(rng.randint(0, 3)):
            op = rng.random()
            k = rng.randrange(len(hyp)) if hyp else 0
            if op < 0.4 and hyp:
                hyp[k] = rng.choice(words)
            elif op < 0.7 and hyp:
                del hyp[k]
            else:
                hyp.insert(k, rng.choice(words))
        hyp = " ".join(hyp)
        if i % 10 == 3:
            hyp = hyp.lower()
        if i == 17:
            hyp = ""
        rows.append({"utt_id": f"t{i:03d}", "reference": ref, "hypothesis": hyp})
    pd.DataFrame(rows).to_json(os.path.join(DATA, "transcripts.jsonl"), orient="records", lines=True, force_ascii=False)


def classification(path, label, prediction, sep=","):
    df = pd.read_csv(path, sep=sep, keep_default_na=False, dtype=None)
    y_true, y_pred = df[label].tolist(), df[prediction].tolist()
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    averages = {}
    for avg in ["macro", "micro", "weighted"]:
        ap, ar, af, _ = precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=0)
        averages[avg] = {"precision": ap, "recall": ar, "f1": af}
    correct = int(sum(a == b for a, b in zip(y_true, y_pred)))
    lo, hi = proportion_confint(correct, len(y_true), alpha=0.05, method="wilson")
    return {
        "path": os.path.relpath(path, ROOT),
        "task": "classification",
        "labels": [str(x) for x in labels],
        "precision": list(map(float, p)),
        "recall": list(map(float, r)),
        "f1": list(map(float, f)),
        "support": list(map(int, s)),
        "averages": averages,
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "ci95": [float(lo), float(hi)],
    }


def transcription(path, reference, hypothesis):
    if path.endswith(".jsonl"):
        df = pd.read_json(path, lines=True, dtype=False)
    else:
        df = pd.read_csv(path, keep_default_na=False)
    refs = df[reference].astype(str).tolist()
    hyps = df[hypothesis].astype(str).tolist()
    return {
        "path": os.path.relpath(path, ROOT),
        "task": "transcription",
        "wer": jiwer.wer(refs, hyps),
        "cer": jiwer.cer(refs, hyps),
        "rows": len(refs),
    }


def main():
    write_datasets()
    fixtures = {
        "multiclass": classification(os.path.join(DATA, "multiclass.csv"), "label", "prediction"),
        "binary_skewed": classification(os.path.join(DATA, "binary_skewed.tsv"), "y_true", "y_pred", sep="\t"),
        "numeric_classes": classification(os.path.join(DATA, "numeric_classes.csv"), "target", "pred"),
        "phones": classification(os.path.join(ROOT, "sample_data", "phones", "metadata.csv"), "label", "prediction"),
        "transcripts": transcription(os.path.join(DATA, "transcripts.jsonl"), "reference", "hypothesis"),
        "speech": transcription(os.path.join(ROOT, "sample_data", "speech", "metadata.csv"), "label", "prediction"),
    }
    with open(os.path.join(ROOT, "tests", "oracle", "fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
