#!/usr/bin/env bash
# Runs `carnet bench` on the reference shapes S1-S5 (shared/reference/ANCHORS.md), LSTM and GRU, 1 and 2 threads,
# writing one JSON object per measurement (the --json line, tagged with the shape) to OUT.jsonl.
# Usage: bench/run_carnet_bench.sh OUT.jsonl [ITERATIONS] (after 5 warm-up runs; set CARNET to a built Carnet.Cli.dll,
# or to the native executable of scripts/publish-aot.sh, to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/run_carnet_bench.sh OUT.jsonl [ITERATIONS]}
iterations=${2:-9}
if [[ "${CARNET:-}" == *.dll ]]; then
  carnet=(dotnet "$CARNET")
elif [[ -n "${CARNET:-}" ]]; then
  carnet=("$CARNET")
else
  dotnet build src/Carnet.Cli -c Release -v quiet -nologo >/dev/null
  carnet=(dotnet src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll)
fi
declare -A shapes=(
  [S1]="--input-size 2 --hidden-size 64 --num-layers 2 --batch 32 --seq-len 100"
  [S2]="--input-size 256 --hidden-size 256 --num-layers 1 --batch 64 --seq-len 50"
  [S3]="--input-size 512 --hidden-size 512 --num-layers 1 --batch 64 --seq-len 50"
  [S4]="--input-size 128 --hidden-size 256 --num-layers 2 --batch 1 --seq-len 100"
  [S5]="--input-size 64 --hidden-size 512 --num-layers 2 --batch 32 --seq-len 128"
)
: > "$out"
for shape in S1 S2 S3 S4 S5; do
  for cell in lstm gru; do
    for threads in 1 2; do
      # shellcheck disable=SC2086
      line=$("${carnet[@]}" bench --cell "$cell" ${shapes[$shape]} --threads "$threads" --warmup 5 --iterations "$iterations" --json | tail -n 1)
      echo "{\"tool\":\"carnet\",\"shape\":\"$shape\",${line#\{}" | tee -a "$out"
    done
  done
done
