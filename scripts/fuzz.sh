#!/usr/bin/env bash
# Coverage-guided fuzzing of Carnet's file readers with SharpFuzz and AFL++.
#   scripts/fuzz.sh [SECONDS] [TARGET ...]     each target for SECONDS (default 60); targets: safetensors onnx csv conll pairs abc wav
# Installs AFL++ (Debian's afl++) and the SharpFuzz instrumenter if missing, publishes fuzz/Carnet.Fuzz, instruments
# Carnet.dll, runs afl-fuzz on each target from its seed corpus (fuzz/corpus/TARGET) and prints the figures of
# AFL++'s fuzzer_stats. Crashing inputs are copied to fuzz/crashes/TARGET (and printed in base64, first 4 KiB) and the
# script exits 1: fix the bug, then move the input to fuzz/regressions/TARGET, where the tests replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors onnx csv conll pairs abc wav)

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q afl++ >/dev/null; else sudo apt-get install -y -q afl++ >/dev/null; fi
fi
work=artifacts/fuzz
tools="$work/tools"
[ -x "$tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$tools" >/dev/null
rm -rf "$work/bin" "$work/replay"
dotnet publish fuzz/Carnet.Fuzz -c Release -o "$work/bin" >/dev/null
cp -r "$work/bin" "$work/replay" # uninstrumented: instrumented code runs only under AFL++'s shared memory
"$tools/sharpfuzz" "$work/bin/Carnet.dll" >/dev/null

# AFL++ under a container: no core-pattern or CPU-frequency tuning is possible, the .NET binary is not AFL-compiled
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
crashes=0
printf '%-12s %10s %8s %7s %9s %8s %6s\n' target executions exec/s paths coverage crashes hangs
for target in "${targets[@]}"; do
  out="$work/findings/$target"
  rm -rf "$out"; mkdir -p "$work/findings"
  afl-fuzz -i "fuzz/corpus/$target" -o "$out" -t 5000 -m none -V "$seconds" -- "$(command -v dotnet)" "$work/bin/Carnet.Fuzz.dll" "$target" >"$work/$target.log" 2>&1 \
    || { tail -n 20 "$work/$target.log" >&2; echo "fuzz: afl-fuzz failed on $target" >&2; exit 1; }
  stats="$out/default/fuzzer_stats"
  field() { sed -nE "s/^$1 *: *(.*)$/\1/p" "$stats"; }
  printf '%-12s %10s %8s %7s %9s %8s %6s\n' "$target" "$(field execs_done)" "$(field execs_per_sec)" "$(field corpus_count)" \
    "$(field bitmap_cvg)" "$(field saved_crashes)" "$(field saved_hangs)"
  found=$(find "$out/default/crashes" -type f -name 'id:*' | wc -l)
  if [ "$found" -gt 0 ]; then
    mkdir -p "fuzz/crashes/$target"
    cp "$out"/default/crashes/id:* "fuzz/crashes/$target/"
    crashes=$((crashes + found))
    # the inputs in the log too, so that a CI run whose clone is gone still gives them: `base64 -d` restores each
    for input in "$out"/default/crashes/id:*; do
      echo "fuzz: $target crash $(basename "$input"): $(head -c 4096 "$input" | base64 -w0)" >&2
    done
  fi
done
if [ "$crashes" -gt 0 ]; then
  echo "fuzz: $crashes crashing input(s) copied to fuzz/crashes/; replay one with: dotnet $work/replay/Carnet.Fuzz.dll TARGET FILE" >&2
  exit 1
fi
