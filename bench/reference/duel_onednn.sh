#!/usr/bin/env bash
# Carnet against oneDNN on chosen cells, alternated process by process (Carnet, oneDNN, Carnet, oneDNN, … per cell and
# round), so that the machine's drift of minutes hits both alike: the fine-grained check of a cell the peers table
# (bench/run_carnet_bench.sh, one engine after another over all 40 cells) shows within a few percent.
# Usage: bench/reference/duel_onednn.sh OUT.jsonl ROUNDS "S3 lstm 2" ["S5 gru 1" …]; then python3 bench/duel_table.py OUT.jsonl
# oneDNN 2.6 runs shared/reference/onednn_rnn_bench.cpp, built into $REF_BUILD_DIR (/tmp/carnet-ref) with a filter on
# the shape and cell added by sed (the measurement itself unchanged); run bench/reference/run_anchors.sh once first to
# install its Debian packages. CARNET = a built Carnet.Cli.dll (default: build src/Carnet.Cli). REF_BUDGET: oneDNN's
# seconds of timed runs per cell (0.5, as in the peers table).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out=${1:?usage: bench/reference/duel_onednn.sh OUT.jsonl ROUNDS CELL...}
rounds=${2:?rounds}
shift 2
cells=("$@")
((${#cells[@]})) || { echo "duel_onednn: name at least one cell, as \"S3 lstm 2\"" >&2; exit 2; }
ref_dir=${REF_DIR:-}
for d in "$repo/../shared/reference" /work/shared/reference; do
  [[ -z "$ref_dir" && -f "$d/onednn_rnn_bench.cpp" ]] && ref_dir="$(cd "$d" && pwd)"
done
[[ -n "$ref_dir" ]] || { echo "duel_onednn: shared/reference/onednn_rnn_bench.cpp not found (set REF_DIR)" >&2; exit 2; }
build=${REF_BUILD_DIR:-/tmp/carnet-ref}
mkdir -p "$build"
# the same program, with `ONEDNN_SHAPE` (S1…S5) and `ONEDNN_LSTM` (1 LSTM, 0 GRU) skipping the other cells
sed -e 's|for (const Shape& sh : SHAPES) {|&\n    if (getenv("ONEDNN_SHAPE") \&\& strcmp(getenv("ONEDNN_SHAPE"), sh.name) != 0) continue;|' \
    -e 's|for (int lstm = 1; lstm >= 0; lstm--) {|&\n      if (getenv("ONEDNN_LSTM") \&\& atoi(getenv("ONEDNN_LSTM")) != lstm) continue;|' \
    "$ref_dir/onednn_rnn_bench.cpp" > "$build/onednn_duel.cpp"
grep -q ONEDNN_SHAPE "$build/onednn_duel.cpp" && grep -q ONEDNN_LSTM "$build/onednn_duel.cpp" \
  || { echo "duel_onednn: the shape and cell filters did not apply to $ref_dir/onednn_rnn_bench.cpp" >&2; exit 1; }
g++ -O2 -std=c++17 "$build/onednn_duel.cpp" -ldnnl -o "$build/onednn_duel"
if [[ -n "${CARNET:-}" ]]; then
  carnet=(dotnet "$CARNET")
else
  dotnet build "$repo/src/Carnet.Cli" -c Release -v quiet -nologo >/dev/null
  carnet=(dotnet "$repo/src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll")
fi
source "$repo/bench/shapes.sh"
for round in $(seq 1 "$rounds"); do
  for cell in "${cells[@]}"; do
    read -r shape kind threads <<< "$cell"
    line=$(bench_line "$shape" "$kind" "$threads" 9 "${carnet[@]}")
    echo "{\"tool\":\"carnet\",\"round\":$round,\"shape\":\"$shape\",${line#\{}" >> "$out" # the line names the cell and threads
    lstm=$([[ "$kind" == lstm ]] && echo 1 || echo 0)
    ONEDNN_SHAPE=$shape ONEDNN_LSTM=$lstm OMP_NUM_THREADS=$threads "$build/onednn_duel" "${REF_BUDGET:-0.5}" \
      | awk -v r="$round" -v s="$shape" -v c="$kind" -v t="$threads" '$1 == s {
          printf "{\"tool\":\"onednn\",\"round\":%d,\"shape\":\"%s\",\"cell\":\"%s\",\"threads\":%d,\"forward_ms\":%s,\"train_ms\":%s}\n", r, s, c, t, $8, $12 }' \
      >> "$out"
  done
done
