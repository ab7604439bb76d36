#!/usr/bin/env bash
# The independent check of docs/RESULTS.md: converts each tune of an ABC file with abc2midi (Debian's abcmidi,
# installed if missing) and counts the tunes it converts without an error (its warnings are counted apart).
#   scripts/abc2midi-check.sh FILE.abc [MIDI_DIR]   MIDI_DIR keeps the MIDI files (default: a temporary folder)
set -euo pipefail
file=$1
if ! command -v abc2midi >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q abcmidi >/dev/null; else sudo apt-get install -y -q abcmidi >/dev/null; fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${2:-$work/midi}
mkdir -p "$out"
awk -v dir="$work" '/^X:/ { n++; f = sprintf("%s/tune-%04d.abc", dir, n) } n { print > f }' "$file"
total=0 converted=0 warned=0
for tune in "$work"/tune-*.abc; do
  total=$((total + 1))
  name=$(basename "$tune" .abc)
  log=$(abc2midi "$tune" -o "$out/$name.mid" 2>&1 || true)
  if ! grep -q '^Error' <<<"$log" && [ -s "$out/$name.mid" ]; then converted=$((converted + 1)); fi
  if grep -q '^Warning' <<<"$log"; then warned=$((warned + 1)); fi
done
echo "abc2midi: $converted of $total tunes converted without an error ($warned with warnings)"
