#!/usr/bin/python3
"""Builds optrun's built-in default model (models/default/).

A small MLP denoiser for 1-D piecewise-constant signals: it takes a noisy
signal of 32 samples and returns an estimate of the clean one (the input
plus a learned correction). It is trained here for a few seconds with
PyTorch and exported with torch.onnx.export (opset 13; Gemm, Relu, Add),
together with one sample input, the clean signal it came from, and
PyTorch's output on it (the reference optnet's tests compare against).

Later this becomes the trained OptNet (QP layer) denoiser; to swap the
model, replace the files in models/default/ (see models/embed.go).

Run from the repository root with Debian's python3-torch and python3-onnx:
    /usr/bin/python3 scripts/make_default_model.py
"""
import os

import numpy as np
import onnx
import torch
from torch import nn

N = 32          # samples per signal
SIGMA = 0.25    # noise level
OUT = os.path.join("models", "default")


def signals(gen, batch):
    """Piecewise-constant signals with 1 to 3 jumps, and noisy copies."""
    clean = torch.zeros(batch, N)
    for i in range(batch):
        k = int(torch.randint(1, 4, (1,), generator=gen))
        cuts = sorted(torch.randperm(N - 1, generator=gen)[:k].add(1).tolist())
        edges = [0] + cuts + [N]
        for a, b in zip(edges[:-1], edges[1:]):
            clean[i, a:b] = torch.rand(1, generator=gen) * 2 - 1
    noisy = clean + SIGMA * torch.randn(batch, N, generator=gen)
    return noisy, clean


class Denoiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(N, 64), nn.ReLU(),
            nn.Linear(64, 64), nn.ReLU(),
            nn.Linear(64, N))

    def forward(self, noisy):
        return noisy + self.net(noisy)


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = Denoiser()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for step in range(1500):
        noisy, clean = signals(gen, 128)
        loss = ((model(noisy) - clean) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()

    noisy, clean = signals(torch.Generator().manual_seed(7), 1)
    with torch.no_grad():
        denoised = model(noisy)
    print("sample MSE: noisy %.4f, denoised %.4f" % (
        ((noisy - clean) ** 2).mean(), ((denoised - clean) ** 2).mean()))

    os.makedirs(os.path.join(OUT, "inputs"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "reference"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "target"), exist_ok=True)
    path = os.path.join(OUT, "model.onnx")
    torch.onnx.export(model, (noisy,), path, opset_version=13,
                      input_names=["noisy"], output_names=["denoised"],
                      dynamic_axes={"noisy": {0: "batch"}, "denoised": {0: "batch"}})
    m = onnx.load(path)
    onnx.checker.check_model(m)
    m.doc_string = "MLP denoiser for 1-D piecewise-constant signals (32 samples)"
    onnx.save(m, path)
    print("ops:", sorted({n.op_type for n in m.graph.node}))
    np.save(os.path.join(OUT, "inputs", "noisy.npy"), noisy.numpy())
    np.save(os.path.join(OUT, "reference", "denoised.npy"), denoised.numpy())
    np.save(os.path.join(OUT, "target", "denoised.npy"), clean.numpy())


if __name__ == "__main__":
    main()
