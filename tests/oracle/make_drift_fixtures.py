#!/usr/bin/env python3
"""Writes tests/oracle/drift/<case>/{reference.csv,current.csv,expected.json}: pairs of
evaluation sets (deterministic) and every column's drift as Evidently's DataDriftTable
computes it (its default test per column, or the test and threshold chosen in the case),
with the share of drifted columns and the data set's verdict. The Rust tests load the pairs
as a user would (`errata drift`) and compare; they need no Python.

The cases cover every branch of the default choice (reference <= 1000 rows: K-S exact for
equal and unequal sizes, K-S asymptotic for a current set over 10 000 rows, chi-square,
z-test, one shared value; reference > 1000 rows: Wasserstein, Jensen-Shannon on categories
and on few numeric values) and chosen tests (PSI and Jensen-Shannon over Sturges bins,
thresholds).

Needs: pip install evidently==0.7.23 "pandas<2.3" numpy scipy
Run:   python3 tests/oracle/make_drift_fixtures.py
"""
import json
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
from evidently.legacy.metrics import DataDriftTable  # noqa: E402
from evidently.legacy.pipeline.column_mapping import ColumnMapping  # noqa: E402
from evidently.legacy.report import Report  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift")
CLASSES = ["cat", "dog", "bird"]


def frame(rng, n, shift=0.0, device_values=("phone", "tablet", "laptop"),
          device_p=None, start=0, label_noise=0.2, missing=0.02):
    label = rng.choice(CLASSES, n)
    wrong = rng.random(n) < label_noise
    prediction = np.where(wrong, rng.choice(CLASSES, n), label)
    confidence = np.round(np.clip(rng.beta(5 - 2 * shift, 2, n), 0, 1), 4)
    snr = np.round(rng.normal(20 - 6 * shift, 5, n), 2)
    speakers = rng.choice([1, 2, 3, 4], n, p=[0.4, 0.3, 0.2, 0.1] if shift < 0.5 else [0.1, 0.2, 0.3, 0.4])
    noisy = (rng.random(n) < 0.3 + 0.2 * shift).astype(int)
    device = rng.choice(list(device_values), n, p=device_p)
    gender = rng.choice(["female", "male"], n, p=[0.5 - 0.2 * shift, 0.5 + 0.2 * shift])
    df = pd.DataFrame({
        "id": [f"r{start + i:06d}" for i in range(n)],
        "label": label,
        "prediction": prediction,
        "confidence": confidence,
        "snr_db": snr,
        "speakers": speakers,
        "is_noisy": noisy,
        "device": device,
        "gender": gender,
        "room": ["studio"] * n,
    })
    # Empty cells: evidently leaves them out, as errata does.
    for col in ["snr_db", "device"]:
        holes = rng.random(n) < missing
        df[col] = df[col].astype(object)
        df.loc[holes, col] = np.nan
    return df


NUMERIC = ["confidence", "snr_db", "speakers", "is_noisy"]
CATEGORICAL = ["label", "prediction", "device", "gender", "room"]


def evidently_drift(ref, cur, choices, numeric=None, categorical=None):
    numeric = NUMERIC if numeric is None else numeric
    categorical = CATEGORICAL if categorical is None else categorical
    tests = {c: v["test"] for c, v in choices.items()}
    thresholds = {c: v["threshold"] for c, v in choices.items() if "threshold" in v}
    report = Report(metrics=[DataDriftTable(per_column_stattest=tests or None,
                                            per_column_stattest_threshold=thresholds or None)])
    ref = ref.copy()
    cur = cur.copy()
    for c in numeric:
        # As pandas reads the CSV: numbers as floats (NaN where empty).
        ref[c] = pd.to_numeric(ref[c]).astype(float)
        cur[c] = pd.to_numeric(cur[c]).astype(float)
    mapping = ColumnMapping(numerical_features=numeric, categorical_features=categorical,
                            target=None, prediction=None, id=None)
    report.run(reference_data=ref.drop(columns=["id"]), current_data=cur.drop(columns=["id"]),
               column_mapping=mapping)
    result = report.as_dict()["metrics"][0]["result"]
    names = {"K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
             "Wasserstein distance (normed)": "wasserstein",
             "Jensen-Shannon distance": "jensenshannon", "PSI": "psi"}
    columns = {}
    for name, col in result["drift_by_columns"].items():
        columns[name] = {
            "test": names[col["stattest_name"]],
            "threshold": float(col["stattest_threshold"]),
            "score": float(col["drift_score"]),
            "drift": bool(col["drift_detected"]),
        }
    return {
        "columns": columns,
        "drifted": int(result["number_of_drifted_columns"]),
        "drift_share": float(result["share_of_drifted_columns"]),
        "dataset_drift": bool(result["dataset_drift"]),
    }


def write(case, ref, cur, choices=None, numeric=None, categorical=None):
    choices = choices or {}
    out = os.path.join(HERE, case)
    os.makedirs(out, exist_ok=True)
    ref.to_csv(os.path.join(out, "reference.csv"), index=False)
    cur.to_csv(os.path.join(out, "current.csv"), index=False)
    expected = evidently_drift(ref, cur, choices, numeric, categorical)
    expected["choices"] = choices
    expected["reference_rows"] = len(ref)
    expected["current_rows"] = len(cur)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    tests = sorted({c["test"] for c in expected["columns"].values()})
    print(f"{case}: {len(ref)} vs {len(cur)} rows, tests {tests}, dataset drift {expected['dataset_drift']}")


def integer_classes(rng, n, shift, start, unlabelled=0.0, new_cities=0):
    """Classes written as integers (numeric, as pandas reads them, so Evidently tests them
    as numbers), a city column of 80 values (more than a slice takes), rows without a label."""
    label = rng.integers(0, 8, n)
    wrong = rng.random(n) < 0.25 + shift
    prediction = np.where(wrong, rng.integers(0, 8, n), label)
    cities = [f"city{k:02d}" for k in range(80)] + [f"new{k}" for k in range(new_cities)]
    weights = np.ones(len(cities))
    weights[80:] = 4.0
    df = pd.DataFrame({
        "id": [f"c{start + i:06d}" for i in range(n)],
        "label": label.astype(object),
        "prediction": prediction,
        "confidence": np.round(rng.uniform(0.2, 1.0, n) - shift / 2, 4).clip(0, 1),
        "city": rng.choice(cities, n, p=weights / weights.sum()),
        "snr_db": np.round(rng.normal(15 - 10 * shift, 4, n), 2),
    })
    holes = rng.random(n) < unlabelled
    df.loc[holes, "label"] = np.nan
    df["label"] = pd.to_numeric(df["label"]).astype("Int64")
    return df


INTEGER_NUMERIC = ["label", "prediction", "confidence", "snr_db"]
INTEGER_CATEGORICAL = ["city"]


def main():
    rng = np.random.default_rng(7)
    # Reference <= 1000 rows, unequal sizes: K-S exact (inside method), chi-square on
    # categories and on 4 numeric values, z on 2 values, one value shared by both sets, a
    # device the reference never saw.
    write("small_reference",
          frame(rng, 300),
          frame(rng, 450, shift=0.6, device_values=("phone", "tablet", "laptop", "smartwatch"),
                device_p=[0.4, 0.2, 0.2, 0.2], start=300))
    # Equal sizes, no shift: K-S exact (square), nothing drifts.
    write("equal_sizes_no_drift", frame(rng, 500), frame(rng, 500, start=500))
    # A current set over 10 000 rows: K-S on its asymptotic distribution (n > 140).
    write("large_current", frame(rng, 700), frame(rng, 12000, shift=0.15, start=700))
    # A small reference and a large current set: the asymptotic distribution at n <= 140.
    write("tiny_reference", frame(rng, 90), frame(rng, 10500, shift=0.3, start=90))
    # Reference > 1000 rows: Wasserstein, Jensen-Shannon on categories and few numbers.
    write("large_reference",
          frame(rng, 3000),
          frame(rng, 2000, shift=0.4, device_values=("phone", "tablet", "laptop", "car", "tv"),
                device_p=[0.5, 0.2, 0.1, 0.1, 0.1], start=3000))
    # Integer classes (K-S on them), a column of 80 values with new ones, unlabelled rows in
    # the reference (kept: Evidently counts every row).
    write("integer_classes",
          integer_classes(rng, 800, 0.0, 0, unlabelled=0.05),
          integer_classes(rng, 900, 0.1, 800, new_cities=5),
          numeric=INTEGER_NUMERIC, categorical=INTEGER_CATEGORICAL)
    write("integer_classes_large",
          integer_classes(rng, 2500, 0.0, 0, unlabelled=0.05),
          integer_classes(rng, 2000, 0.1, 2500, new_cities=5),
          numeric=INTEGER_NUMERIC, categorical=INTEGER_CATEGORICAL)
    # Tests and thresholds chosen per column.
    write("chosen_tests",
          frame(rng, 1500),
          frame(rng, 1200, shift=0.2, start=1500),
          {
              "snr_db": {"test": "psi"},
              "confidence": {"test": "jensenshannon", "threshold": 0.05},
              "device": {"test": "psi", "threshold": 0.2},
              "speakers": {"test": "ks"},
              "label": {"test": "chisquare", "threshold": 0.01},
              "prediction": {"test": "z"},
              "gender": {"test": "jensenshannon"},
          })


def distribution_grid():
    """scipy's two-sided one-sample K-S survival (kstwo.sf, what ks_2samp uses beyond
    10 000 values) over sizes and distances that reach every branch of its algorithm, and
    ks_2samp p-values of random samples of many size pairs (exact and asymptotic)."""
    from scipy.stats import kstwo, ks_2samp
    rng = np.random.default_rng(3)
    grid = []
    for n in [1, 2, 5, 10, 50, 100, 140, 141, 300, 577, 1000, 5000, 20000, 150000]:
        for x in [0.0005, 0.002, 0.01, 0.03, 0.05, 0.08, 0.12, 0.2, 0.35, 0.5, 0.7, 0.95, 0.999]:
            grid.append({"n": n, "x": x, "sf": float(kstwo.sf(x, n))})
    samples = []
    for n1, n2, shift in [(5, 7, 0.5), (40, 40, 0.3), (100, 37, 0.0), (999, 1000, 0.1),
                          (250, 10001, 0.05), (60, 20000, 0.4), (1000, 15000, 0.02),
                          (13, 10500, 1.0), (3, 9000, 0.0)]:
        a = np.round(rng.normal(0, 1, n1), 3)
        b = np.round(rng.normal(shift, 1, n2), 3)
        r = ks_2samp(a, b)
        samples.append({"a": a.tolist(), "b": b.tolist(), "statistic": float(r.statistic),
                        "pvalue": float(r.pvalue)})
    path = os.path.join(HERE, "..", "ks.json")
    with open(path, "w") as f:
        json.dump({"kstwo_sf": grid, "ks_2samp": samples}, f)
        f.write("\n")
    print(f"ks.json: {len(grid)} kstwo.sf values, {len(samples)} ks_2samp pairs")


if __name__ == "__main__":
    main()
    distribution_grid()
