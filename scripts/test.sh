#!/usr/bin/env bash
# README's test command. The tests need one thing beyond the .NET SDK: MPICH (mpiexec and libmpich.so.12), because the
# distributed-training tests run `mpiexec -n 2 carnet … --distributed` as a user would. This installs it when missing
# (Debian's mpich package), then runs every test; extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mpiexec >/dev/null 2>&1 || ! ldconfig -p | grep 'libmpich\.so\.12' >/dev/null; then
  echo "installing MPICH (the distributed-training tests run carnet under mpiexec)"
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q mpich
fi

exec dotnet test tests/Carnet.Tests -c Release "$@"
