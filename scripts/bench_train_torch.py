#!/usr/bin/python3
"""PyTorch peer of optnet's training-step benchmarks (train/bench_test.go).

One Adam step (zero_grad, forward, cross-entropy, backward, step) of
  mlp: 784-256-256-10 MLP, batch 128, float32
  cnn: conv 1->16 3x3, relu, maxpool 2, conv 16->32 3x3, relu, maxpool 2,
       fc 800->10 on 1x28x28, batch 64, float32
Prints one line per model: "torch <model> threads=<n> <wall ms> <cpu ms>",
the mean wall and process CPU time per step over --steps steps after a
warm-up, like `go test -bench` with its cpu-ms/op metric.
Run by scripts/bench_train.sh, which sets the BLAS and thread variables.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def bench(model, x, y, steps):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    t, c = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t) / steps * 1e3, (time.process_time() - c) / steps * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--models", default="mlp,cnn")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    models = {
        "mlp": lambda: (nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                                      nn.Linear(256, 10)),
                        torch.randn(128, 784), torch.randint(0, 10, (128,))),
        "cnn": lambda: (nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3),
                                      nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 10)),
                        torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))),
    }
    for name in a.models.split(","):
        model, x, y = models[name]()
        wall, cpu = bench(model, x, y, a.steps)
        print("torch %s threads=%d %.4f %.4f" % (name, a.threads, wall, cpu), flush=True)


if __name__ == "__main__":
    main()
