#!/usr/bin/env python3
"""The counts behind `errata report` computed with polars, as a data engineer would script
them (overall accuracy, per-class precision/recall/F1 and confusion counts, accuracy, HLP and
per-class recall per slice value with numeric columns in quantile bins, per-tag accuracy,
HLP and potential gain, the automation curve); no intervals. For the side-by-side timings
in BENCHMARKS.md (benches/compare.sh).

Run: python3 benches/polars_report.py target/bench-data/eval_1000000.csv
"""
import json
import sys
import time

import polars as pl

SLICES = ["region", "device", "age", "snr_db", "speaker"]
THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99]


def report(path):
    if path.endswith(".parquet"):
        df = pl.read_parquet(path)
    else:
        # All columns as text, as errata reads them (ids keep their leading zeros).
        df = pl.read_csv(path, infer_schema=False)
    df = df.filter(pl.col("label").is_not_null() & pl.col("prediction").is_not_null())
    df = df.with_columns(
        correct=pl.col("label").cast(pl.String) == pl.col("prediction").cast(pl.String),
        human_ok=pl.col("human_label").cast(pl.String) == pl.col("label").cast(pl.String),
        confidence=pl.col("confidence").cast(pl.Float64),
    )
    n = df.height
    accuracy = df["correct"].mean()
    out = {"overall": {"n": n, "accuracy": accuracy}}
    confusion = df.group_by("label", "prediction").len()
    out["confusion"] = confusion.to_dicts()
    support = confusion.group_by("label").agg(pl.col("len").sum().alias("support"))
    predicted = confusion.group_by("prediction").agg(pl.col("len").sum().alias("predicted"))
    hits = confusion.filter(pl.col("label") == pl.col("prediction")).select(
        pl.col("label"), pl.col("len").alias("tp"))
    classes = (support.join(hits, on="label", how="left")
               .join(predicted.rename({"prediction": "label"}), on="label", how="full", coalesce=True)
               .fill_null(0)
               .with_columns(precision=pl.col("tp") / pl.col("predicted"),
                             recall=pl.col("tp") / pl.col("support"))
               .with_columns(f1=2 * pl.col("precision") * pl.col("recall")
                             / (pl.col("precision") + pl.col("recall")))
               .fill_nan(0))
    out["classes"] = classes.to_dicts()
    slices = []
    for column in SLICES:
        values = df[column]
        numeric = values.cast(pl.Float64, strict=False)
        if numeric.null_count() == values.null_count() and numeric.n_unique() > 10:
            edges = [numeric.quantile(q / 5, interpolation="linear") for q in range(6)]
            binned = numeric.cut(edges[1:5], left_closed=True).cast(pl.String)
            frame = df.with_columns(value=binned)
        else:
            frame = df.with_columns(value=pl.col(column).cast(pl.String))
        per_value = frame.group_by("value").agg(
            n=pl.len(), accuracy=pl.col("correct").mean(), hlp=pl.col("human_ok").mean())
        recall = frame.group_by("value", "label").agg(recall=pl.col("correct").mean())
        slices.append({"column": column, "values": per_value.to_dicts(), "recall": recall.to_dicts()})
    out["slices"] = slices
    tags = (df.select(pl.col("tags").fill_null("").str.split(";"), "correct", "human_ok")
            .with_row_index("row").explode("tags")
            .filter(pl.col("tags").str.strip_chars() != ""))
    reviewed = tags["row"].n_unique()
    out["tags"] = (tags.group_by("tags")
                   .agg(n=pl.len(), accuracy=pl.col("correct").mean(), hlp=pl.col("human_ok").mean())
                   .with_columns(gap=(pl.col("hlp") - pl.col("accuracy")).clip(lower_bound=0))
                   .with_columns(potential_gain=pl.col("gap") * pl.col("n") / reviewed)
                   .to_dicts())
    out["automation"] = [
        df.filter(pl.col("confidence") >= t).select(
            coverage=pl.len() / n, accuracy=pl.col("correct").mean()).to_dicts()[0]
        for t in THRESHOLDS
    ]
    return out


if __name__ == "__main__":
    start = time.perf_counter()
    result = report(sys.argv[1])
    text = json.dumps(result, default=str)
    print(f"{sys.argv[1]}: polars load + counts {time.perf_counter() - start:.2f} s ({len(text)} bytes)")
