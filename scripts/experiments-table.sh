#!/usr/bin/env bash
# Runs the experiments of docs/EXPERIMENTS.md and collects each run's JSON line in $OUT/results.jsonl.
# Usage: scripts/experiments-table.sh [OUT] [STREAM] [STREAMS]   (default OUT=runs/experiments, one stream of all runs)
# CARNET may name an already built carnet (e.g. "dotnet /tmp/carnet/Carnet.Cli.dll") to skip the build.
# Two streams (0 and 1 of 2) run half of the list each, one thread per run, so a 2-core machine runs both at once.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/experiments}
STREAM=${2:-0}
STREAMS=${3:-1}
LIMIT=${LIMIT:-6}
mkdir -p "$OUT"
CARNET=${CARNET:-}
if [[ -z "$CARNET" ]]; then
  dotnet build src/Carnet.Cli -c Release -v quiet -nologo >/dev/null
  CARNET="dotnet src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll"
fi
runs=()
for T in 50 100 200 500; do for cell in lstm gru rnn; do runs+=("adding --seq-len $T --cell $cell"); done; done
for cell in lstm gru rnn; do
  runs+=("multiplication --seq-len 100 --cell $cell")
  runs+=("temporal-order --seq-len 100 --classes 4 --cell $cell")
  runs+=("temporal-order --seq-len 100 --classes 8 --cell $cell")
  runs+=("copy --seq-len 100 --cell $cell")
done
for i in "${!runs[@]}"; do
  (( i % STREAMS == STREAM )) || continue
  args=${runs[$i]}
  name=$(echo "$args" | sed -e 's/--seq-len /T/' -e 's/--classes /c/' -e 's/--cell //' -e 's/ /-/g')
  echo "== $args"
  $CARNET experiment $args --threads 1 --time-limit "$LIMIT" --quiet --json --out "$OUT/$name" | tail -n 1 >> "$OUT/results.jsonl"
done
