#!/usr/bin/env bash
# Speaker-independent isolated digits on the Free Spoken Digit Dataset (Z. Jackson et al., CC BY-SA 4.0): for each of
# the five speakers, train on the other four with `carnet speech train`'s defaults and test on the held-out one.
# Prints one line per speaker and the mean accuracy.
#
#   bench/speech/fsdd_folds.sh [FSDD_FOLDER] [MINUTES] [OUT]
#   defaults: ../shared/data/speech/fsdd, 10 minutes per fold, runs/fsdd-folds
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
data="${1:-$here/../shared/data/speech/fsdd}"
minutes="${2:-10}"
out="${3:-runs/fsdd-folds}"
dotnet build "$here/src/Carnet.Cli" -c Release -v q -nologo > /dev/null
carnet="$here/src/Carnet.Cli/bin/Release/net10.0/Carnet.Cli.dll"
total=0
for speaker in george jackson nicolas theo yweweler; do
  start=$(date +%s)
  dotnet "$carnet" speech train --data "$data" --test-speakers "$speaker" --time-limit "$minutes" --out "$out/$speaker" --quiet
  accuracy=$(grep -o '"accuracy": [0-9.]*' "$out/$speaker/metrics.json" | awk '{print $2}')
  epochs=$(grep -o '"epochs_trained": [0-9]*' "$out/$speaker/metrics.json" | awk '{print $2}')
  echo "$speaker accuracy $accuracy epochs $epochs seconds $(( $(date +%s) - start ))"
  total=$(echo "$total + $accuracy" | bc -l)
done
echo "mean accuracy $(echo "$total / 5" | bc -l)"
