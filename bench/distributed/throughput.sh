#!/usr/bin/env bash
# Data-parallel training throughput on this machine: the S5 character model (embedding 64, LSTM 2 x 512, 32 streams of
# 128 characters: shared/reference/ANCHORS.md's S5 as `carnet text train`) trained for one epoch as one process on 1
# and on 2 threads, and as 2 MPI ranks of 1 thread each, alternated ROUNDS times so the machine's drift hits all
# alike; then MPI_Allreduce's cost for message sizes around the model's parameter bytes (allreduce.c).
# Prints and appends one JSON line per run to OUT.jsonl: characters and sequences trained per second (from metrics.json:
# the epoch's steps x batch x length over its seconds, validation excluded).
# Usage: bench/distributed/throughput.sh OUT.jsonl [TEXT] [ROUNDS]   (TEXT: ../shared/data/text/moby_dick.txt, first
# 400 000 characters; ROUNDS 3). Needs MPICH (apt-get install mpich).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: bench/distributed/throughput.sh OUT.jsonl [TEXT] [ROUNDS]}
text=${2:-../shared/data/text/moby_dick.txt}
rounds=${3:-3}
dotnet build src/Carnet.Cli -c Release -v quiet -nologo >/dev/null
carnet=(dotnet "$PWD/src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 400000 "$text" > "$work/text.txt"
model=(--embedding-size 64 --hidden-size 512 --num-layers 2 --batch-size 32 --seq-length 128 --epochs 1 --validation 0.02 --sample-length 0 --quiet)
cpu=$(lscpu | sed -nE 's/^Model name: *//p' | head -n 1)

record() { # label ranks threads folder
  python3 - "$1" "$2" "$3" "$4/metrics.json" "$cpu" <<'PY' | tee -a "$out"
import json, sys
label, ranks, threads, path, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
m = json.load(open(path))
e = m["history"][0]
chars = e["steps"] * 32 * 128
print(json.dumps({"run": label, "ranks": ranks, "threads_per_rank": threads, "world_size": m["world_size"], "steps": e["steps"],
                  "seconds": e["seconds"], "chars_per_s": round(chars / e["seconds"]), "sequences_per_s": round(e["steps"] * 32 / e["seconds"], 2),
                  "ms_per_step": round(1000 * e["seconds"] / e["steps"], 1), "cpu": cpu}))
PY
}

for round in $(seq "$rounds"); do
  "${carnet[@]}" text train --data "$work/text.txt" "${model[@]}" --threads 1 --out "$work/one-1"
  record "1 process, 1 thread" 1 1 "$work/one-1"
  mpiexec -n 2 "${carnet[@]}" text train --data "$work/text.txt" "${model[@]}" --threads 1 --out "$work/two-1" --distributed
  record "2 ranks, 1 thread each" 2 1 "$work/two-1"
  "${carnet[@]}" text train --data "$work/text.txt" "${model[@]}" --threads 2 --out "$work/one-2"
  record "1 process, 2 threads" 1 2 "$work/one-2"
done

mpicc -O2 bench/distributed/allreduce.c -o "$work/allreduce"
mpiexec -n 2 "$work/allreduce" | tee -a "$out"
