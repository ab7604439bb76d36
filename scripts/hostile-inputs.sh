#!/usr/bin/env bash
# The endless and huge inputs of docs/RELIABILITY.md, each given to `carnet forecast --data` under a 2 GiB
# address-space limit (ulimit -v): /dev/zero, a named pipe nobody writes to, a 3 GiB sparse file. Each must end
# within seconds with one line and exit code 2. Then a valid 200 MB CSV (95,000 rows of 200 columns), without the
# limit: it must be read and trained on (one short epoch), and refused, naming the limit, under CARNET_MAX_INPUT_MB=100.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Carnet.Cli -c Release >/dev/null
carnet=(dotnet src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/pipe"
truncate -s 3G "$work/sparse.csv"

status=0
check() { # name, expected exit code, then the command
  local name=$1 expected=$2; shift 2
  local start end code
  start=$(date +%s%N)
  set +e
  "$@" >"$work/out" 2>"$work/err"
  code=$?
  set -e
  end=$(date +%s%N)
  printf '%-34s exit %d in %5.2f s  %s\n' "$name" "$code" "$(echo "($end - $start) / 1000000000" | bc -l)" "$(head -c 150 "$work/err")"
  if [ "$code" -ne "$expected" ] || { [ "$expected" -eq 2 ] && [ "$(wc -l <"$work/err")" -ne 1 ]; }; then
    echo "hostile inputs: $name: expected exit $expected and one line" >&2
    status=1
  fi
}
limited() { (ulimit -v 2097152; timeout 60 "$@"); }

check "/dev/zero (2 GiB address space)" 2 limited "${carnet[@]}" forecast --data /dev/zero --out "$work/run" --quiet
check "named pipe (2 GiB address space)" 2 limited "${carnet[@]}" forecast --data "$work/pipe" --out "$work/run" --quiet
check "3 GiB sparse file (2 GiB)" 2 limited "${carnet[@]}" forecast --data "$work/sparse.csv" --out "$work/run" --quiet

awk 'BEGIN { srand(1); for (c = 0; c < 200; c++) printf "%sc%d", (c ? "," : ""), c; print "";
             for (r = 0; r < 95000; r++) { for (c = 0; c < 200; c++) printf "%s%.6f", (c ? "," : ""), 100 + 900 * rand(); print "" } }' > "$work/big.csv"
echo "valid CSV: $(du -m "$work/big.csv" | cut -f1) MB"
short=(--epochs 1 --window 4 --horizon 1 --season 1 --hidden-size 8 --batch-size 1024 --out "$work/big-run" --quiet)
check "200 MB valid CSV" 0 "${carnet[@]}" forecast --data "$work/big.csv" "${short[@]}"
check "200 MB CSV, CARNET_MAX_INPUT_MB=100" 2 env CARNET_MAX_INPUT_MB=100 "${carnet[@]}" forecast --data "$work/big.csv" "${short[@]}"
exit "$status"
