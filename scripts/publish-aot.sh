#!/usr/bin/env bash
# Publishes the carnet command line as one native executable (Native AOT) into artifacts/aot/, installing the
# system packages the native linker needs (clang, zlib) when they are missing. Prints the binary's size and
# its start-up time (median of 20 runs of `carnet --help`).
set -euo pipefail
cd "$(dirname "$0")/.."

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
dotnet publish src/Carnet.Cli -c Release -r "$rid" -p:PublishAot=true -o artifacts/aot
binary=artifacts/aot/carnet
cp artifacts/aot/Carnet.Cli "$binary"
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
