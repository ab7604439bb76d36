#!/usr/bin/env bash
# Publishes the carnet command line as one native executable (Native AOT) into artifacts/aot/, installing the
# system packages the native linker needs (clang, zlib) when they are missing. Prints the binary's size, its
# start-up time (median of 20 runs of `carnet --help`), and runs README's main job with it.
#
# The executable is compiled for .NET 10 when the .NET 10 NativeAOT runtime pack can be restored, and for .NET 9
# otherwise (some NuGet mirrors serve .NET 9's ILCompiler, which carries its own runtime, but not .NET 10's
# separate runtime pack). The library builds unchanged for either.
#
# Usage: scripts/publish-aot.sh [--instruction-set ISA] [--expect-model FILE]
# --expect-model: fail unless the native binary's forecast model is byte for byte FILE (for example the one the JIT
# build of README's main job wrote, runs/forecast-airpassengers/model.safetensors, on the same instruction set).
# The native code is compiled for an instruction set fixed at publish time (the JIT picks it at run time). The
# default, native, is this machine's: the binary runs here at full speed (AVX2/AVX-512 kernels) but may not start
# on an older CPU. For a binary to copy to other machines name their baseline, for example x86-64-v3 (AVX2 and
# FMA) or x86-64-v4 (AVX-512); .NET's portable default (x86-64-v2) leaves the 256-bit kernels unused and runs
# about three times slower.
set -euo pipefail
cd "$(dirname "$0")/.."

instruction_set=native
expect_model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --instruction-set) instruction_set=${2:?"--instruction-set needs a value, for example native or x86-64-v3"}; shift 2 ;;
    --expect-model) expect_model=${2:?"--expect-model needs a model file"}; shift 2 ;;
    *) echo "unknown argument: $1 (usage: scripts/publish-aot.sh [--instruction-set ISA] [--expect-model FILE])" >&2; exit 2 ;;
  esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (needed by the Native AOT linker)"
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi

rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
run=""
restore_log=$(mktemp)
trap 'rm -rf "$restore_log" "$run"' EXIT
framework=""
for candidate in net10.0 net9.0; do
  if dotnet restore src/Carnet.Cli -r "$rid" -p:PublishAot=true -p:CarnetTargetFramework="$candidate" >"$restore_log" 2>&1; then
    framework=$candidate
    break
  fi
  echo "no Native AOT packages for $candidate from the configured NuGet sources"
done
if [ -z "$framework" ]; then
  echo "Native AOT needs the ILCompiler packages of .NET 10 or .NET 9; neither could be restored. The last restore said:" >&2
  grep -E 'error' "$restore_log" | sort -u >&2
  exit 1
fi
echo "publishing for $framework ($rid, instruction set $instruction_set)"

out=artifacts/aot
rm -rf "$out"
dotnet publish src/Carnet.Cli -c Release -r "$rid" -p:PublishAot=true -p:CarnetTargetFramework="$framework" \
  -p:IlcInstructionSet="$instruction_set" --no-restore -o "$out"
binary=$out/carnet
cp "$out/Carnet.Cli" "$binary"
echo "binary: $binary ($(stat -c %s "$binary") bytes)"

times=()
for _ in $(seq 20); do
  start=$(date +%s%N)
  "$binary" --help >/dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n '10p')
echo "start-up (carnet --help, median of 20): ${median} µs"

run=$(mktemp -d)
start=$(date +%s%N)
"$binary" forecast --out "$run" --quiet
end=$(date +%s%N)
echo "carnet forecast (README's main job) with the native binary: $(( (end - start) / 1000000 )) ms"
echo "model MASE on the test horizon: $(grep -m1 '"mase"' "$run/metrics.json" | sed 's/.*: *//; s/,//')"
if [ -n "$expect_model" ]; then
  if cmp -s "$run/model.safetensors" "$expect_model"; then
    echo "the native binary's model is byte for byte $expect_model"
  else
    echo "the native binary's model differs from $expect_model (same seed, same data: expected the same bits)" >&2
    exit 1
  fi
fi
