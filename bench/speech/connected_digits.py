#!/usr/bin/python3
"""Connected-digit recordings built from the Free Spoken Digit Dataset (Z. Jackson et al., CC BY-SA 4.0).

  /usr/bin/python3 bench/speech/connected_digits.py FSDD_FOLDER OUT_FOLDER [--per-speaker N] [--seed S]

Each utterance joins 3 to 7 recordings of ONE speaker (random digits, random takes) with 50 to 150 ms of silence
between them and 100 ms at each end, at FSDD's 8 kHz, 16-bit mono. OUT_FOLDER gets the WAV files and manifest.csv
(audio,text,speaker; the text is the digits separated by spaces, for `carnet speech train --ctc --tokens words`).
Needs numpy (Debian's python3-numpy); reads and writes WAV with the standard library.
"""
import argparse
import os
import random
import wave

import numpy as np


def read(path):
    with wave.open(path, "rb") as f:
        assert f.getframerate() == 8000 and f.getsampwidth() == 2 and f.getnchannels() == 1, path
        return np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fsdd")
    parser.add_argument("out")
    parser.add_argument("--per-speaker", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    takes = {}
    for name in sorted(os.listdir(args.fsdd)):
        if name.endswith(".wav"):
            digit, speaker, _ = name[:-4].split("_")
            takes.setdefault(speaker, {}).setdefault(digit, []).append(os.path.join(args.fsdd, name))
    os.makedirs(args.out, exist_ok=True)
    rows = ["audio,text,speaker"]
    for speaker in sorted(takes):
        for i in range(args.per_speaker):
            digits = [rng.choice(sorted(takes[speaker])) for _ in range(rng.randint(3, 7))]
            parts = [np.zeros(800, dtype="<i2")]
            for d in digits:
                parts.append(read(rng.choice(takes[speaker][d])))
                parts.append(np.zeros(rng.randint(400, 1200), dtype="<i2"))
            parts[-1] = np.zeros(800, dtype="<i2")
            name = f"{speaker}_{i:04d}.wav"
            with wave.open(os.path.join(args.out, name), "wb") as f:
                f.setnchannels(1)
                f.setsampwidth(2)
                f.setframerate(8000)
                f.writeframes(np.concatenate(parts).tobytes())
            rows.append(f"{name},{' '.join(digits)},{speaker}")
    with open(os.path.join(args.out, "manifest.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"{len(rows) - 1} utterances in {args.out}")


if __name__ == "__main__":
    main()
