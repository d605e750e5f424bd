#!/usr/bin/env bash
# Seeds each target's corpus from the project's own test data, builds the targets, then
# fuzzes each one (all of them, or those named) for FUZZ_SECONDS (default 600), two at a
# time. Logs go to fuzz/logs/, crashing inputs to fuzz/artifacts/<target>/.
#   fuzz/run.sh                              every target, 10 minutes each
#   FUZZ_SECONDS=60 fuzz/run.sh table_csv    one target, one minute
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-600}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(table_csv table_jsonl media_path audit_spec tag_csv project_open)

seed() { # seed TARGET FILE...: copies the files that exist into the target's corpus
    local target="$1" file
    shift
    mkdir -p "corpus/$target"
    for file in "$@"; do
        if [ -f "$file" ]; then
            cp "$file" "corpus/$target/seed-$(basename "$(dirname "$file")")-$(basename "$file")"
        fi
    done
}

data=../tests/data
for target in "${targets[@]}"; do
    case "$target" in
        table_csv) seed "$target" ../sample_data/*/metadata.csv "$data"/oracle/*.csv \
            "$data"/bad/*.csv "$data"/bad/*/*.csv "$data"/warnings/*.csv ;;
        table_jsonl) seed "$target" "$data"/oracle/*.jsonl "$data"/bad/*.jsonl ;;
        audit_spec) seed "$target" ../sample_data/*.toml ;;
        tag_csv) seed "$target"
            printf 'id,tag\nu1,car noise\n"a,""b""",x\r\n' > "corpus/$target/seed-tags.csv" ;;
        project_open) seed "$target" "$data"/projects/*.errata ;;
        media_path) seed "$target"
            printf 'clips/a.wav' > "corpus/$target/seed-plain"
            printf 'inside\\deep/../b.png' > "corpus/$target/seed-link" ;;
        *) echo "unknown fuzz target: $target" >&2; exit 2 ;;
    esac
done

for target in "${targets[@]}"; do cargo +nightly fuzz build "$target"; done
mkdir -p logs
running=0
for target in "${targets[@]}"; do
    echo "fuzzing $target for ${seconds}s (log: fuzz/logs/$target.log)"
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 > "logs/$target.log" 2>&1 &
    running=$((running + 1))
    if [ "$running" -ge 2 ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait || true
for target in "${targets[@]}"; do
    printf '%-14s ' "$target"
    grep -E '^(Done [0-9]+ runs|SUMMARY|==[0-9]+== ERROR)' "logs/$target.log" | tail -1 || echo "(no summary; see the log)"
done
