# The reference shapes S1-S5 (shared/reference/ANCHORS.md) as `carnet bench` options, and the one call of it that the
# bench scripts share; sourced by bench/run_carnet_bench.sh, bench/ab_bench.sh and bench/reference/duel_onednn.sh.
# shellcheck shell=bash
declare -A shapes=(
  [S1]="--input-size 2 --hidden-size 64 --num-layers 2 --batch 32 --seq-len 100"
  [S2]="--input-size 256 --hidden-size 256 --num-layers 1 --batch 64 --seq-len 50"
  [S3]="--input-size 512 --hidden-size 512 --num-layers 1 --batch 64 --seq-len 50"
  [S4]="--input-size 128 --hidden-size 256 --num-layers 2 --batch 1 --seq-len 100"
  [S5]="--input-size 64 --hidden-size 512 --num-layers 2 --batch 32 --seq-len 128"
)

# bench_line SHAPE CELL THREADS ITERATIONS COMMAND...: the --json line of COMMAND bench on that cell (5 warm-up runs).
bench_line() {
  local shape=$1 cell=$2 threads=$3 iterations=$4
  shift 4
  [[ -n "${shapes[$shape]:-}" ]] || { echo "unknown shape $shape (S1-S5)" >&2; return 2; }
  # shellcheck disable=SC2086
  "$@" bench --cell "$cell" ${shapes[$shape]} --threads "$threads" --warmup 5 --iterations "$iterations" --json | tail -n 1
}
