#!/usr/bin/env python3
"""The same report as `errata report` (overall, per class, confusion, slices with Wilson
intervals and per-class recall, tags with HLP and potential gain, automation curve), computed
the usual way with pandas + scikit-learn, for the comparison in BENCHMARKS.md.

Run: python3 benches/pandas_report.py target/bench-data/eval_1000000.csv
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from statsmodels.stats.proportion import proportion_confint


def wilson(k, n):
    return list(proportion_confint(k, n, method="wilson")) if n else None


def report(path):
    df = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path, keep_default_na=False, na_values=[""])
    df = df[df["label"].notna() & df["prediction"].notna()]
    y, p = df["label"].astype(str), df["prediction"].astype(str)
    correct = (y == p).to_numpy()
    human_ok = (df["human_label"].astype(str) == y).to_numpy()
    n = len(df)
    out = {"overall": {"n": n, "accuracy": correct.mean(), "ci95": wilson(int(correct.sum()), n)}}
    labels = sorted(set(y) | set(p))
    # Integer codes first: scikit-learn on string arrays spends minutes sorting objects.
    yc = pd.Categorical(y, categories=labels).codes
    pc = pd.Categorical(p, categories=labels).codes
    codes = list(range(len(labels)))
    pr, rc, f1, sup = precision_recall_fscore_support(yc, pc, labels=codes, zero_division=0)
    out["classes"] = [dict(label=l, precision=a, recall=b, f1=c, support=int(d)) for l, a, b, c, d in zip(labels, pr, rc, f1, sup)]
    out["averages"] = {avg: precision_recall_fscore_support(yc, pc, average=avg, zero_division=0)[:3] for avg in ["macro", "micro", "weighted"]}
    out["confusion"] = confusion_matrix(yc, pc, labels=codes).tolist()
    slices = []
    work = pd.DataFrame({"correct": correct, "human_ok": human_ok, "label": y})
    for column in ["region", "device", "age", "snr_db", "speaker"]:
        values = df[column]
        if pd.api.types.is_numeric_dtype(values) and values.nunique() > 10:
            values = pd.qcut(values, 5, duplicates="drop").astype(str)
        work["value"] = values.astype(str).to_numpy()
        for value, g in work.groupby("value"):
            k, m = int(g["correct"].sum()), len(g)
            recall = g.groupby("label")["correct"].mean().to_dict()
            slices.append(dict(column=column, value=value, n=m, accuracy=k / m, ci95=wilson(k, m),
                               gap_to_overall=k / m - out["overall"]["accuracy"], hlp=g["human_ok"].mean(), class_recall=recall))
    out["slices"] = slices
    tags = df["tags"].fillna("").astype(str).str.split(";")
    exploded = pd.DataFrame({"tag": tags, "correct": correct, "human_ok": human_ok}).explode("tag")
    exploded = exploded[exploded["tag"].str.strip() != ""]
    reviewed = tags.map(lambda t: any(x.strip() for x in t)).to_numpy()
    reviewed_n, reviewed_errors = int(reviewed.sum()), int((~correct[reviewed]).sum())
    tag_rows = []
    for tag, g in exploded.groupby("tag"):
        m, k = len(g), int(g["correct"].sum())
        acc, hlp = k / m, g["human_ok"].mean()
        gap = max(0.0, hlp - acc)
        tag_rows.append(dict(tag=tag, n=m, errors=m - k, share_of_data=m / reviewed_n, share_of_errors=(m - k) / reviewed_errors,
                             accuracy=acc, ci95=wilson(k, m), hlp=hlp, gap=gap, potential_gain=gap * m / reviewed_n))
    out["tags"] = tag_rows
    conf = df["confidence"].to_numpy(dtype=float)
    out["automation"] = []
    for t in [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99]:
        covered = conf >= t
        out["automation"].append(dict(threshold=t, coverage=covered.mean(), accuracy=correct[covered].mean() if covered.any() else None))
    return out


if __name__ == "__main__":
    start = time.perf_counter()
    result = report(sys.argv[1])
    text = json.dumps(result, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))
    print(f"{sys.argv[1]}: pandas + scikit-learn load + report {time.perf_counter() - start:.2f} s ({len(text)} bytes)")
