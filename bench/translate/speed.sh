#!/usr/bin/env bash
# Sequence-to-sequence speed, Carnet beside its PyTorch twin on the same machine in the same session: training target
# tokens per second, greedy sentences per second, and Carnet's beam-5 sentences per second (the twin has no beam search),
# for the CMU (spelling → pronunciation) and Tatoeba shapes at 1 and 2 threads. Each side runs twice, interleaved
# (Carnet, PyTorch, Carnet, PyTorch), so a change in the machine's load shows as a gap between a side's two figures.
#   bench/translate/speed.sh [WORK]     (default WORK: a new folder under /tmp; about 5 minutes on 2 quiet cores)
# Carnet: bench/Carnet.Benchmarks, class Seq2SeqBenchmarks (BenchmarkDotNet, one launch, 2 warm-ups, 7 iterations,
# the Items/s column from the median). PyTorch: bench/reference/seq2seq_speed.py (Debian's python3-torch, medians),
# each run twice: with OMP_WAIT_POLICY=PASSIVE (the "tuned" PyTorch of ANCHORS.md, the one the ratios use) and with
# OpenMP's default policy, whose spinning threads fight OpenBLAS's for the two cores. Both sides read the same
# 64-pair batch; the docs of those two files say exactly what is timed.
# PyTorch's BLAS: Debian's torch multiplies through the system's libblas.so.3; when that is not OpenBLAS (only libblas3,
# the netlib reference, is installed: some 30× slower), the script fetches libopenblas0-pthread with `apt-get download`
# into OPENBLAS_DIR (default /tmp/carnet-openblas), unpacks it there without installing anything, and runs PyTorch
# with it on LD_LIBRARY_PATH. TORCH_BLAS=system measures the system's BLAS as it is.
# Env: NICE="nice -n 19" runs both sides niced (for a smoke run beside other work; such figures are not comparable to
# a quiet machine's); QUICK=1 checks the script in a few minutes with BenchmarkDotNet's dry job and two PyTorch
# repetitions (figures meaningless).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-$(mktemp -d /tmp/carnet-s2s-speed.XXXXXX)}
mkdir -p "$WORK"
read -r -a nice_prefix <<< "${NICE:-}"
job=(--launchCount 1 --warmupCount 2 --iterationCount 7)
torch_args=()
if [[ -n "${QUICK:-}" ]]; then
  job=(--job dry)
  torch_args=(--warmup 1 --steps 2 --decodes 2)
fi

torch_library_path=${LD_LIBRARY_PATH:-}
system_blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || echo none)
if [[ "${TORCH_BLAS:-openblas}" == openblas && "$system_blas" != *openblas* ]]; then
  openblas_dir=${OPENBLAS_DIR:-/tmp/carnet-openblas}
  openblas_lib="$openblas_dir/root/usr/lib/x86_64-linux-gnu/openblas-pthread"
  if [[ ! -e "$openblas_lib/libblas.so.3" ]]; then
    mkdir -p "$openblas_dir"
    (cd "$openblas_dir" && apt-get download -q libopenblas0-pthread > /dev/null 2>&1 && dpkg -x libopenblas0-pthread_*.deb root)
  fi
  torch_library_path="$openblas_lib${torch_library_path:+:$torch_library_path}"
fi

echo "# Seq2Seq speed: Carnet (BenchmarkDotNet) vs PyTorch twin, $(date -u '+%Y-%m-%d %H:%M UTC')"
lscpu | grep -E "^Model name|^CPU family|^Model:|^CPU\(s\)" | tr -s ' '
if grep -qw avx512f /proc/cpuinfo; then
  echo "AVX-512: yes ($(grep -o -w 'avx512[a-z_0-9]*' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/ $//'))"
else
  echo "AVX-512: no"
fi
echo "dotnet $(dotnet --version), torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), git $(git rev-parse --short HEAD)"
echo "system libblas.so.3: $system_blas; PyTorch's LD_LIBRARY_PATH: ${torch_library_path:-(none)}"
if [[ -n "${NICE:-}" ]]; then echo "both sides run under: $NICE"; fi
if [[ -n "${QUICK:-}" ]]; then echo "QUICK=1: a check of the script, not a measurement"; fi
echo

dotnet build bench/Carnet.Benchmarks -c Release -v quiet -nologo > "$WORK/build.log"

load() { cut -d' ' -f1-3 /proc/loadavg; }
carnet() { # RUN
  local began=$SECONDS start_load
  start_load=$(load)
  "${nice_prefix[@]}" dotnet run -c Release --no-build --project bench/Carnet.Benchmarks -- \
    --filter '*Seq2SeqBenchmarks*' "${job[@]}" --artifacts "$WORK/carnet-$1" > "$WORK/carnet-$1.log"
  cp "$WORK/carnet-$1/results/Carnet.Benchmarks.Seq2SeqBenchmarks-report.csv" "$WORK/carnet-$1.csv"
  echo "carnet run $1: $((SECONDS - began)) s, load averages $start_load at start, $(load) at end"
}
twin() { # RUN
  local began=$SECONDS start_load
  start_load=$(load)
  env LD_LIBRARY_PATH="$torch_library_path" OMP_WAIT_POLICY=PASSIVE "${nice_prefix[@]}" \
    /usr/bin/python3 bench/reference/seq2seq_speed.py --threads 1 2 "${torch_args[@]}" > "$WORK/torch-$1.jsonl"
  env -u OMP_WAIT_POLICY LD_LIBRARY_PATH="$torch_library_path" "${nice_prefix[@]}" \
    /usr/bin/python3 bench/reference/seq2seq_speed.py --threads 1 2 "${torch_args[@]}" > "$WORK/torch-spin-$1.jsonl"
  echo "pytorch run $1: $((SECONDS - began)) s, load averages $start_load at start, $(load) at end"
}
carnet 1
twin 1
carnet 2
twin 2

echo
/usr/bin/python3 - "$WORK" <<'EOF'
import csv, json, statistics, sys
work = sys.argv[1]
carnet, torch, spin = {}, {}, {}  # (run, shape, threads, what) -> items per second
blas = set()
for run in (1, 2):
    with open(f"{work}/carnet-{run}.csv", newline="") as f:
        for row in csv.DictReader(f):
            carnet[run, row["Shape"], int(row["Threads"]), row["Method"]] = float(row["Items/s"])
            if row["Method"] == "TrainingStep":
                carnet[run, row["Shape"], int(row["Threads"]), "tokens"] = int(row["Items"])
    for table, name in ((torch, "torch"), (spin, "torch-spin")):
        with open(f"{work}/{name}-{run}.jsonl") as f:
            for line in f:
                r = json.loads(line)
                table[run, r["shape"], r["threads"], "TrainingStep"] = r["train_tokens_per_s"]
                table[run, r["shape"], r["threads"], "GreedyTranslate"] = r["greedy_sentences_per_s"]
                table[run, r["shape"], r["threads"], "tokens"] = r["target_tokens"]
                blas.add(r["blas"])

def both(table, key):
    return [table[(run,) + key] for run in (1, 2)]

def cell(values):
    return " / ".join(f"{v:.0f}" for v in values)

rows = [(shape, threads) for shape in ("CMU", "Tatoeba") for threads in (1, 2)]
print("PyTorch's BLAS: " + "; ".join(sorted(blas)))
print()
print("Items per second from medians, run 1 / run 2; × = Carnet's mean over PyTorch's mean (above 1: Carnet faster).")
print("PyTorch with OMP_WAIT_POLICY=PASSIVE. Training: target tokens/s (non-pad targets incl. <eos>, one batch of 64")
print("pairs); translation: sentences/s of 64 sources, every sentence decoded to the limit of 2·S + 10 tokens")
print("(untrained weights, <eos> suppressed on both sides).")
print()
print("| shape | threads | train tok/s Carnet | train tok/s PyTorch | × | greedy sent/s Carnet | greedy sent/s PyTorch | × "
      "| beam-5 sent/s Carnet |")
print("|---|---|---|---|---|---|---|---|---|")
for shape, threads in rows:
    key = (shape, threads)
    if both(carnet, key + ("tokens",)) != both(torch, key + ("tokens",)):
        sys.exit(f"{shape}: the two sides counted different target tokens; the batches differ")
    row = [shape, str(threads)]
    for what in ("TrainingStep", "GreedyTranslate"):
        c, t = both(carnet, key + (what,)), both(torch, key + (what,))
        row += [cell(c), cell(t), f"{statistics.mean(c) / statistics.mean(t):.2f}"]
    row.append(cell(both(carnet, key + ("BeamTranslate",))))
    print("| " + " | ".join(row) + " |")
print()
print("PyTorch with OpenMP's default wait policy (its threads spin), same BLAS:")
print()
print("| shape | threads | train tok/s PyTorch | greedy sent/s PyTorch |")
print("|---|---|---|---|")
for shape, threads in rows:
    key = (shape, threads)
    print(f"| {shape} | {threads} | {cell(both(spin, key + ('TrainingStep',)))} | {cell(both(spin, key + ('GreedyTranslate',)))} |")
EOF
for run in 1 2; do
  echo
  echo "## Carnet run $run (BenchmarkDotNet summary)"
  sed -n '/^| /,$p' "$WORK/carnet-$run/results/Carnet.Benchmarks.Seq2SeqBenchmarks-report-github.md"
  echo
  echo "## PyTorch run $run (seq2seq_speed.py; OMP_WAIT_POLICY=PASSIVE, then the default policy)"
  cat "$WORK/torch-$run.jsonl" "$WORK/torch-spin-$run.jsonl"
done
echo
echo "raw results: $WORK (carnet-N.csv, carnet-N.log, torch-N.jsonl, torch-spin-N.jsonl)"
