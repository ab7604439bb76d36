#!/usr/bin/env bash
# Runs the translation experiments of docs/RESULTS.md one after the other (about 70 minutes on 2 cores) and prints
# where their figures are. Carnet and its PyTorch twin (bench/reference/seq2seq_twin.py, Debian's python3-torch)
# train on the same files with the same architecture and recipe; nothing else should run on the machine meanwhile.
# PyTorch must use an optimised BLAS (apt-get install libopenblas0-pthread: Debian's torch otherwise falls back to the
# netlib reference BLAS, 10-30x slower) and runs with OMP_WAIT_POLICY=PASSIVE (its spinning threads otherwise make
# 2 threads slower than 1 on this machine): the tuned setting, as in bench/results/2026-12-04-seq2seq-speed.txt.
#   bench/translate/results.sh [OUT]            (default OUT: runs/results-translate)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/results-translate}
MINUTES_FRA=${MINUTES_FRA:-6}
MINUTES_CMU=${MINUTES_CMU:-10}
mkdir -p "$OUT"
dotnet build src/Carnet.Cli -c Release -v quiet -nologo > /dev/null
carnet() { dotnet src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll "$@"; }
twin() { OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/reference/seq2seq_twin.py "$@"; }
update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q "Value: .*openblas" \
  || { echo "PyTorch would use the netlib reference BLAS: apt-get install libopenblas0-pthread first" >&2; exit 1; }
score_twin() { # TEST.tsv PREDICTIONS.txt DIR: the twin's predictions scored against every reference of each source
  /usr/bin/python3 bench/reference/multi_reference.py "$1" "$2" "$3"
  local references=()
  for r in "$3"/references.*.txt; do references+=(--references "$r"); done
  carnet translate score --hypotheses "$3/hypotheses.txt" "${references[@]}" | tee "$3/score.txt"
}
lscpu | grep -E "Model name|^CPU\(s\)|Flags" | sed 's/Flags:.*avx512f.*/AVX-512: yes/; s/Flags:.*/AVX-512: no/' > "$OUT/machine.txt"

# Tatoeba English → French: one split for every run; Carnet with and without attention; the twin
/usr/bin/python3 bench/reference/split_pairs.py data/eng_fra_tatoeba_5000.tsv "$OUT/fra-split" --held-out 0.1 --seed 42
recipe_fra=(--dropout 0.2 --label-smoothing 0.1)
carnet translate train --data "$OUT/fra-split/train.tsv" --test "$OUT/fra-split/test.tsv" --out "$OUT/fra-attention" \
  --epochs 200 --time-limit "$MINUTES_FRA" "${recipe_fra[@]}" --plateau 0 --learning-rate 0.001 --keep last --threads 2
carnet translate train --data "$OUT/fra-split/train.tsv" --test "$OUT/fra-split/test.tsv" --out "$OUT/fra-no-attention" \
  --attention none --input-feeding false --epochs 200 --time-limit "$MINUTES_FRA" "${recipe_fra[@]}" --plateau 0 --learning-rate 0.001 --keep last --threads 2
mkdir -p "$OUT/fra-twin"
twin --data "$OUT/fra-split/train.tsv" --test "$OUT/fra-split/test.tsv" --tokens words --bidirectional --input-feeding \
  --attention general "${recipe_fra[@]}" --lr 0.001 --time-limit "$MINUTES_FRA" --eval-every-seconds 30 --threads 2 \
  --predictions "$OUT/fra-twin/predictions.txt" --references "$OUT/fra-twin/references.txt" | tee "$OUT/fra-twin/log.jsonl"
score_twin "$OUT/fra-split/test.tsv" "$OUT/fra-twin/predictions.txt" "$OUT/fra-twin"

# CMU pronouncing dictionary, spelling → phonemes: 30,000 training words, 3,000 unseen test words
recipe_cmu=(--dropout 0 --label-smoothing 0)
carnet translate train --data data/cmudict/train.tsv --test data/cmudict/test.tsv --out "$OUT/cmu-carnet" \
  --epochs 200 --time-limit "$MINUTES_CMU" "${recipe_cmu[@]}" --plateau 0 --learning-rate 0.001 --keep last --beam 5 --threads 2
mkdir -p "$OUT/cmu-twin"
twin --data data/cmudict/train.tsv --test data/cmudict/test.tsv --tokens space --bidirectional --input-feeding \
  --attention general "${recipe_cmu[@]}" --lr 0.001 --time-limit "$MINUTES_CMU" --eval-every-seconds 60 --threads 2 \
  --predictions "$OUT/cmu-twin/predictions.txt" --references "$OUT/cmu-twin/references.txt" | tee "$OUT/cmu-twin/log.jsonl"
echo "figures: $OUT/*/metrics.json, $OUT/*-twin/log.jsonl and score.txt"
