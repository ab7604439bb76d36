#!/usr/bin/env bash
# Connected-digit recordings spoken by espeak-ng voices (synthetic speech; espeak-ng is GPL-3, its output is ours to
# use), resampled to 8 kHz 16-bit mono by sox. Installs espeak-ng and sox with apt-get when they are missing.
#
#   bench/speech/espeak_digits.sh OUT_FOLDER [PER_VOICE] [SEED] VOICE…
#
# Each voice (an espeak-ng voice with an optional variant, such as en-us+f2) says PER_VOICE (default 150) strings of
# 3 to 7 digits at a speed drawn from 130 to 200 words a minute. OUT_FOLDER gets the WAV files and manifest.csv
# (audio,text,speaker: the digits separated by spaces, the voice as the speaker).
set -euo pipefail
out="$1"; per_voice="${2:-150}"; seed="${3:-11}"; shift 3
if ! command -v espeak-ng > /dev/null || ! command -v sox > /dev/null; then
  apt-get install -y espeak-ng sox > /dev/null
fi
mkdir -p "$out"
manifest="$out/manifest.csv"
echo "audio,text,speaker" > "$manifest"
RANDOM=$seed
for voice in "$@"; do
  for ((i = 0; i < per_voice; i++)); do
    count=$((3 + RANDOM % 5)); digits=""
    for ((d = 0; d < count; d++)); do digits="$digits $((RANDOM % 10))"; done
    digits="${digits# }"
    name="${voice//+/-}_$(printf %04d "$i").wav"
    espeak-ng -v "$voice" -s $((130 + RANDOM % 71)) -w "$out/.raw.wav" "$digits"
    sox "$out/.raw.wav" -r 8000 -b 16 -c 1 "$out/$name"
    echo "$name,$digits,$voice" >> "$manifest"
  done
done
rm -f "$out/.raw.wav"
echo "$(($(wc -l < "$manifest") - 1)) utterances in $out"
