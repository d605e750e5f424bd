#!/usr/bin/env bash
# Times `errata report`, the pandas + scikit-learn equivalent, the polars script computing
# the same counts and polars' read alone (all columns as text: the parse floor) on the
# synthetic set (ROWS, default 1,000,000), with peak memory (max RSS). Needs: python3 with
# pandas, pyarrow, scikit-learn, statsmodels, polars. Generates the data with the
# load_report bench if missing. PANDAS=0 skips pandas (minutes at 10M rows).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
data=target/bench-data
[ -f "$data/eval_$rows.csv" ] || cargo bench --bench load_report -- --rows "$rows"
cargo build --release --quiet
measure() { # label, command...
    local label=$1; shift
    python3 - "$label" "$@" <<'PY'
import resource, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
best = None
for _ in range(3):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{label:40s} best of 3: {best:6.2f} s   peak RSS: {peak:6.0f} MB")
PY
}
for ext in csv parquet; do
    measure "errata report ($ext)" ./target/release/errata report "$data/eval_$rows.$ext" -o /tmp/errata-bench-report.json
    if [ "${PANDAS:-1}" != 0 ]; then
        measure "pandas + scikit-learn ($ext)" python3 benches/pandas_report.py "$data/eval_$rows.$ext"
    fi
    measure "polars counts ($ext)" python3 benches/polars_report.py "$data/eval_$rows.$ext"
done
measure "polars read_csv, all text (floor)" python3 -c \
    "import polars as pl, sys; pl.read_csv(sys.argv[1], infer_schema=False)" "$data/eval_$rows.csv"
