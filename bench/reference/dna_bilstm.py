"""A PyTorch BiLSTM on the DNA splice-junction sequences, to compare with `carnet classify` (docs/RESULTS.md).

Same shape as Carnet's model: embedding 16 -> bidirectional LSTM -> pooling -> linear head; Adam, batch 32,
cross-entropy, test accuracy taken at the epoch of the best validation loss, 70/15/15 random split.
A development aid, run by hand (`/usr/bin/python3 bench/reference/dna_bilstm.py flat 32 0.001 20`); CI never needs it.
"""
import csv
import random
import sys

import torch
import torch.nn as nn

DATA = "../shared/data/sequence_classification/dna_splice_junctions.csv"


def main(mode, hidden, rate, epochs):
    torch.manual_seed(0)
    random.seed(0)
    rows = list(csv.DictReader(open(DATA)))
    letters = {c: i for i, c in enumerate(sorted(set("".join(r["sequence"] for r in rows))))}
    x = torch.tensor([[letters[c] for c in r["sequence"]] for r in rows])
    classes = sorted(set(r["class"] for r in rows))
    y = torch.tensor([classes.index(r["class"]) for r in rows])
    order = list(range(len(rows)))
    random.shuffle(order)
    n = len(order)
    test, validation, training = order[: int(0.15 * n)], order[int(0.15 * n): int(0.3 * n)], order[int(0.3 * n):]
    steps = x.shape[1]

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(len(letters), 16)
            self.rnn = nn.LSTM(16, hidden, batch_first=True, bidirectional=True)
            self.attention = nn.Linear(2 * hidden, 1)
            self.head = nn.Linear(2 * hidden * (steps if mode == "flat" else 1), len(classes))

        def forward(self, tokens):
            out, _ = self.rnn(self.embedding(tokens))
            if mode == "att":
                pooled = (self.attention(out).softmax(1) * out).sum(1)
            elif mode == "mean":
                pooled = out.mean(1)
            elif mode == "max":
                pooled = out.max(1).values
            else:
                pooled = out.reshape(len(tokens), -1)
            return self.head(pooled)

    model = Model()
    optimizer = torch.optim.Adam(model.parameters(), rate)
    best = (float("inf"), 0, 0.0)
    for epoch in range(1, epochs + 1):
        model.train()
        random.shuffle(training)
        for i in range(0, len(training), 32):
            batch = training[i: i + 32]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            loss = nn.functional.cross_entropy(model(x[validation]), y[validation]).item()
            accuracy = (model(x[test]).argmax(1) == y[test]).float().mean().item()
        if loss < best[0]:
            best = (loss, epoch, accuracy)
    print(f"pool {mode}, hidden {hidden}, lr {rate}: best validation loss {best[0]:.4f} at epoch {best[1]}, test accuracy {best[2]:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
