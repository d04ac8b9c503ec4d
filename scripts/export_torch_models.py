#!/usr/bin/python3
"""Exports small PyTorch models to ONNX for optnet's compatibility tests.

For each model (a CNN, an MLP, a transformer encoder layer) it writes, under
models/testdata/torch/<name>/:
    model_opset13.onnx, model_opset17.onnx  torch.onnx.export at each opset
    input.npy                               a fixed-seed input
    output.npy                              PyTorch's output on it (eval mode)
models/torch_test.go runs every model through optnet and requires
max |optnet - PyTorch| <= 1e-4.

Run from the repository root with Debian's python3-torch and python3-onnx:
    /usr/bin/python3 scripts/export_torch_models.py
"""
import os

import numpy as np
import onnx
import torch
from torch import nn

OUT = os.path.join("models", "testdata", "torch")
OPSETS = (13, 17)


class CNN(nn.Module):
    """Conv/BatchNorm/ReLU/MaxPool twice, then Flatten and Linear."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 10))

    def forward(self, x):
        return self.head(self.features(x))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(20, 32), nn.ReLU(),
            nn.Linear(32, 32), nn.Sigmoid(),
            nn.Linear(32, 5))

    def forward(self, x):
        return self.net(x)


class Encoder(nn.Module):
    """One nn.TransformerEncoderLayer (batch_first, no dropout)."""

    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(
            d_model=16, nhead=2, dim_feedforward=32, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


MODELS = {
    "cnn": (CNN, (2, 3, 16, 16)),
    "mlp": (MLP, (4, 20)),
    "transformer": (Encoder, (2, 5, 16)),
}


def main():
    for i, (name, (cls, shape)) in enumerate(sorted(MODELS.items())):
        torch.manual_seed(100 + i)
        model = cls()
        # A few training-mode passes give BatchNorm non-trivial running
        # statistics; the export and the reference use eval mode.
        model.train()
        with torch.no_grad():
            for _ in range(3):
                model(torch.randn(*shape) * 2 + 0.5)
        model.eval()
        x = torch.randn(*shape, generator=torch.Generator().manual_seed(1000 + i))
        with torch.no_grad():
            y = model(x)
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, "input.npy"), x.numpy())
        np.save(os.path.join(d, "output.npy"), y.numpy())
        for opset in OPSETS:
            path = os.path.join(d, "model_opset%d.onnx" % opset)
            # PRESERVE (the model is in eval mode) keeps BatchNormalization
            # as a node; the default would fold it into the Conv weights.
            torch.onnx.export(model, (x,), path, opset_version=opset,
                              input_names=["x"], output_names=["y"],
                              training=torch.onnx.TrainingMode.PRESERVE)
            m = onnx.load(path)
            onnx.checker.check_model(m)
            ops = sorted({n.op_type for n in m.graph.node})
            print("%s opset %d: %d nodes, ops %s" % (name, opset, len(m.graph.node), " ".join(ops)))


if __name__ == "__main__":
    main()
