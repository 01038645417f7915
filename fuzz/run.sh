#!/usr/bin/env bash
# Runs each libFuzzer target for a while (make fuzz FUZZ_SECONDS=600 [FUZZ_TARGETS="csv tokenizer"]).
# New inputs go to .fuzz/TARGET (git-ignored), crashes to .fuzz/crashes/; the committed seeds in
# fuzz/corpus/TARGET are read, never written. A crash stops that target: reproduce it with
# `.build/debug/lectern-fuzz TARGET FILE`, fix it, and add the file to fuzz/regressions/TARGET/.
# Leak detection is off: Foundation's file reading leaks a 4 KB buffer for every empty file
# (String(contentsOfFile:) in swift-corelibs-foundation), which would stop every run at once.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-600}"
targets="${FUZZ_TARGETS:-notebook parameters safetensors modelConfig torchCheckpoint csv tokenizer bpeTokenizer tokenizerJSON labelColumns parquet arrow}"
binary=.build-fuzz/debug/lectern-fuzz
mkdir -p .fuzz/crashes
export SWIFT_BACKTRACE=enable=no   # libFuzzer and the sanitizer report crashes themselves
export ASAN_OPTIONS=detect_leaks=0
printf '| Target | Seconds | Executions | Executions/s | Coverage (edges) | Corpus | Crashes |\n|---|---:|---:|---:|---:|---:|---:|\n' > .fuzz/summary.md
for target in $targets; do
    mkdir -p ".fuzz/$target"
    log=".fuzz/$target.log"
    "$binary" "$target" ".fuzz/$target" "fuzz/corpus/$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -rss_limit_mb=4096 -detect_leaks=0 -print_final_stats=1 -artifact_prefix=".fuzz/crashes/$target-" > "$log" 2>&1
    status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    time=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | grep -o 'in [0-9]*' | grep -o '[0-9]*')
    runs=${runs:-0}; time=${time:-$seconds}
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
    corpus=$(ls ".fuzz/$target" | wc -l)
    crashes=$(ls .fuzz/crashes | grep -c "^$target-" || true)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$target" "$time" "$runs" "$(( runs / (time > 0 ? time : 1) ))" "$coverage" "$corpus" "$crashes" >> .fuzz/summary.md
    echo "$target: exit $status, $runs runs, $crashes crashes (log: $log)"
done
cat .fuzz/summary.md
