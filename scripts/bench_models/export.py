#!/usr/bin/env python3
"""Export torchvision CNNs to ONNX for the whole-model benchmark.

Writes, for each model, into OUTDIR:
  <name>.onnx        the model (random weights, batch 1, opset 13), input "input",
                     output "output"
  <name>.input.bin   the benchmark input, float32 little-endian, 1x3x224x224
  <name>.torch.bin   PyTorch's output for that input (float32), for reference

Usage: export.py OUTDIR [name ...]
Random weights are fine for timing; BatchNorm running statistics are also
randomised so that folding BN into the convolutions is exercised with
non-trivial values. A name ending in "_bn" (resnet18_bn) exports the model
without PyTorch's constant folding, which keeps the BatchNormalization nodes
(and wraps the weights in Identity nodes), for the runtime to fold.
"""
import os
import sys

import numpy as np
import torch
import torchvision

MODELS = ["squeezenet1_1", "mobilenet_v2", "resnet18", "resnet18_bn"]


def randomise_bn(model, gen):
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            c = mod.num_features
            with torch.no_grad():
                mod.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                mod.running_var.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                mod.weight.copy_(torch.rand(c, generator=gen) * 0.5 + 0.75)
                mod.bias.copy_(torch.randn(c, generator=gen) * 0.1)


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or MODELS
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    for name in names:
        gen = torch.Generator().manual_seed(1)
        arch = name[:-3] if name.endswith("_bn") else name
        fold = arch == name
        model = getattr(torchvision.models, arch)(weights=None)
        randomise_bn(model, gen)
        model.eval()
        x = torch.rand(1, 3, 224, 224, generator=gen)
        path = os.path.join(out, name + ".onnx")
        mode = torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE
        torch.onnx.export(model, x, path, input_names=["input"], output_names=["output"],
                          opset_version=13, do_constant_folding=fold, training=mode)
        with torch.no_grad():
            y = model(x)
        x.numpy().astype("<f4").tofile(os.path.join(out, name + ".input.bin"))
        y.numpy().astype("<f4").tofile(os.path.join(out, name + ".torch.bin"))
        print(f"exported {name}: {path} ({os.path.getsize(path) / 1e6:.1f} MB), output {tuple(y.shape)}")


if __name__ == "__main__":
    main()
