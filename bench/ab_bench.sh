#!/usr/bin/env bash
# Alternates builds of `carnet bench` process by process (A B A B …), so that the machine's drift hits all alike, and
# appends one JSON object per process to OUT.jsonl, tagged with the variant, the shape and the round.
# Usage: bench/ab_bench.sh OUT.jsonl ROUNDS "S3 lstm 2" ["S1 gru 1" …] with VARIANTS="old=A/Carnet.Cli.dll new=B/Carnet.Cli.dll"
# (NAME=DLL pairs; a pair NAME=DLL@VAR=VALUE runs that variant with one environment variable set). Then:
# python3 bench/ab_table.py OUT.jsonl
set -euo pipefail
out=${1:?usage: bench/ab_bench.sh OUT.jsonl ROUNDS CELL...}
rounds=${2:?rounds}
shift 2
cells=("$@")
source "$(dirname "${BASH_SOURCE[0]}")/shapes.sh"
for round in $(seq 1 "$rounds"); do
  for cell in "${cells[@]}"; do
    read -r shape kind threads <<< "$cell"
    for variant in ${VARIANTS:?set VARIANTS}; do
      name=${variant%%=*} dll=${variant#*=} setting=
      if [[ "$dll" == *@* ]]; then setting=${dll#*@} dll=${dll%@*}; fi
      # shellcheck disable=SC2086
      line=$(bench_line "$shape" "$kind" "$threads" 9 env $setting dotnet "$dll")
      echo "{\"variant\":\"$name\",\"round\":$round,\"shape\":\"$shape\",${line#\{}" >> "$out"
    done
  done
done
