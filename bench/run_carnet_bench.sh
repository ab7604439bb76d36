#!/usr/bin/env bash
# Runs `carnet bench` on the reference shapes S1-S5 (shared/reference/ANCHORS.md), LSTM and GRU, 1 and 2 threads,
# writing one JSON object per measurement (the --json line, tagged with the shape and the round) to OUT.jsonl.
# With PEERS=1, every round also runs the peers one after another, so that the machine's drift hits all alike
# (Carnet, ONNX Runtime, oneDNN + PyTorch, then again): ONNX Runtime 1.32 and Carnet's ONNX runtime through the
# benchmark project (`Carnet.Benchmarks peers`), and oneDNN 2.6, tuned PyTorch, the FMA peak and the SGEMM ceilings
# through bench/reference/run_anchors.sh (which installs the Debian packages it needs). bench/peers_table.py OUT.jsonl
# prints the medians over the rounds side by side. ANCHORS=0 leaves out oneDNN, PyTorch and the ceilings (about 9 of a
# round's 11 minutes): Carnet beside ONNX Runtime only, for the forward target.
# Usage: [PEERS=1 [ANCHORS=0]] bench/run_carnet_bench.sh OUT.jsonl [ITERATIONS] [ROUNDS]   (ITERATIONS 9, ROUNDS 1 by default;
# each cell after at least 1.5 s of warm-up; set CARNET to a built Carnet.Cli.dll, or to the native executable of
# scripts/publish-aot.sh, to skip the build; REF_BUDGET is the anchors' seconds per cell, 0.5 here by default)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/run_carnet_bench.sh OUT.jsonl [ITERATIONS] [ROUNDS]}
iterations=${2:-9}
rounds=${3:-1}
if [[ "${CARNET:-}" == *.dll ]]; then
  carnet=(dotnet "$CARNET")
elif [[ -n "${CARNET:-}" ]]; then
  carnet=("$CARNET")
else
  dotnet build src/Carnet.Cli -c Release -v quiet -nologo >/dev/null
  carnet=(dotnet src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll)
fi
if [[ "${PEERS:-0}" == 1 ]]; then
  dotnet build bench/Carnet.Benchmarks -c Release -v quiet -nologo >/dev/null
  peers=(dotnet bench/Carnet.Benchmarks/bin/Release/net10.0/Carnet.Benchmarks.dll peers)
fi
source bench/shapes.sh
tag() { sed -e "s/^{/{\"round\":$1,/"; }
: > "$out"
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds: carnet" >&2
  for shape in S1 S2 S3 S4 S5; do
    for cell in lstm gru; do
      for threads in 1 2; do
        line=$(bench_line "$shape" "$cell" "$threads" "$iterations" "${carnet[@]}")
        echo "{\"tool\":\"carnet\",\"shape\":\"$shape\",${line#\{}" | tag "$round" | tee -a "$out"
      done
    done
  done
  if [[ "${PEERS:-0}" == 1 ]]; then
    for engine in onnxruntime carnet_onnx; do
      echo "round $round of $rounds: $engine" >&2
      "${peers[@]}" --engine "$engine" --iterations "$iterations" | tag "$round" | tee -a "$out"
    done
    [[ "${ANCHORS:-1}" == 0 ]] && continue
    echo "round $round of $rounds: anchors (oneDNN, PyTorch, ceilings)" >&2
    anchors=$(mktemp)
    REF_BUDGET="${REF_BUDGET:-0.5}" bench/reference/run_anchors.sh "$anchors" >/dev/null
    tag "$round" < "$anchors" | tee -a "$out"
    rm -f "$anchors"
  fi
done
