"""PyTorch <-> optnet round trip, driven by cmd/optrun/pytorch_test.go.

    roundtrip.py export DIR   write the models, inputs and PyTorch's outputs
                              and gradients under DIR/<case>/
    roundtrip.py check DIR    load DIR/<case>/trained.onnx (trained by
                              optrun train) into the PyTorch module and
                              compare its forward with optrun's output
                              DIR/<case>/y_trained.npy; prints one line per
                              case and exits 1 on any mismatch

Per case DIR/<case>/ holds: model.onnx (training-mode export, parameter
names kept), x.npy, y.npy (PyTorch forward), g.npy (an upstream gradient),
grads.npz (PyTorch autograd of sum(g*y): every parameter by state_dict
name, and "x"), train.npz (x, t: a small regression set), meta.json
(dtype, tolerance, QP node count); for the standard models also
eval_opset13.onnx/eval_opset17.onnx (eval-mode exports) and state.pt.
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import optnet_onnx  # noqa: E402

# The exported QP node's stopping tolerance. The op's default (1e-12, an
# absolute bound on its residual score) can stop an item whose nearly
# active constraint has s ~ 1e-3 and lambda ~ 1e-10, which moves float64
# gradients by ~1e-6 relative; 1e-14 gives the 1e-8 agreement checked here.
QP_EPS = 1e-14


class QPNet(nn.Module):
    """Linear -> QPLayer -> Linear in one of several QP shapes:
    batched  Q and G expanded to the batch, h from the input (batched)
    shared   Q, G, h shared parameters
    eq       shared Q, G, h, A; b from the input (batched): both constraint kinds
    eqonly   shared Q, A; b from the input; no inequalities
    """

    def __init__(self, kind, nin=5, n=4, m=3, k=1, nout=2):
        super().__init__()
        self.kind = kind
        self.fc1 = nn.Linear(nin, n)
        self.L = nn.Parameter(torch.randn(n, n) * 0.5)
        if kind != "eqonly":
            self.G = nn.Parameter(torch.randn(m, n))
        if kind == "batched":
            self.fch = nn.Linear(nin, m)
        elif kind != "eqonly":
            self.h = nn.Parameter(torch.rand(m) + 0.5)
        if kind in ("eq", "eqonly"):
            self.A = nn.Parameter(torch.randn(k, n))
            self.fcb = nn.Linear(nin, k)
        self.qp = optnet_onnx.QPLayer(eps=QP_EPS)
        self.fc2 = nn.Linear(n, nout)

    def forward(self, x):
        n = self.L.shape[0]
        Q = self.L @ self.L.t() + 0.1 * torch.eye(n, dtype=self.L.dtype)
        p = self.fc1(x)
        if self.kind == "batched":
            B = x.shape[0]
            Qb = Q.unsqueeze(0).expand(B, n, n)
            Gb = self.G.unsqueeze(0).expand(B, self.G.shape[0], n)
            z = self.qp(Qb, p, Gb, 0.5 + torch.sigmoid(self.fch(x)))
        elif self.kind == "shared":
            z = self.qp(Q, p, self.G, self.h)
        elif self.kind == "eq":
            z = self.qp(Q, p, self.G, self.h, self.A, 0.1 * torch.tanh(self.fcb(x)))
        else:
            z = self.qp(Q, p, A=self.A, b=self.fcb(x))
        return self.fc2(z)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Sigmoid(), nn.Linear(32, 5))

    def forward(self, x):
        return self.net(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 4 * 4, 3))

    def forward(self, x):
        return self.head(self.features(x))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


def cases():
    """name -> (constructor, input shape, dtype, tolerance, kind)."""
    c = {}
    for kind in ("batched", "shared", "eq", "eqonly"):
        c["qp_%s_f32" % kind] = (lambda kind=kind: QPNet(kind), (6, 5), torch.float32, 1e-5, "qp")
    for kind in ("shared", "eq"):
        c["qp_%s_f64" % kind] = (lambda kind=kind: QPNet(kind), (6, 5), torch.float64, 1e-8, "qp")
    c["mlp"] = (MLP, (8, 20), torch.float32, 1e-5, "std")
    c["cnn"] = (CNN, (8, 3, 8, 8), torch.float32, 1e-5, "std")
    c["transformer"] = (Encoder, (4, 3, 8), torch.float32, 1e-5, "std")
    return c


def build(name):
    ctor, shape, dtype, tol, kind = cases()[name]
    torch.manual_seed(sum(map(ord, name)))
    model = ctor().to(dtype)
    return model, shape, dtype, tol, kind


def export_all(root):
    for name in sorted(cases()):
        model, shape, dtype, tol, kind = build(name)
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        gen = torch.Generator().manual_seed(7)
        if kind == "std":
            # Some training steps so that BatchNorm's statistics are not trivial.
            model.train()
            with torch.no_grad():
                for _ in range(3):
                    model(torch.randn(*shape, generator=gen, dtype=dtype) * 2 + 0.5)
        x = torch.randn(*shape, generator=gen, dtype=dtype)
        # The training-mode export: parameter names kept, what optrun trains.
        model.train()
        optnet_onnx.export(model, (x,), os.path.join(d, "model.onnx"), ["x"], ["y"], opset=17)
        torch.save(model.state_dict(), os.path.join(d, "state.pt"))
        xg = x.clone().requires_grad_(True)
        y = model(xg)  # train mode: BatchNorm uses batch statistics, as the export says
        g = torch.randn(y.shape, generator=gen, dtype=dtype)
        model.zero_grad()
        (y * g).sum().backward()
        grads = {k: p.grad.detach().numpy() for k, p in model.named_parameters() if p.grad is not None}
        grads["x"] = xg.grad.numpy()
        np.save(os.path.join(d, "x.npy"), x.numpy())
        np.save(os.path.join(d, "y.npy"), y.detach().numpy())
        np.save(os.path.join(d, "g.npy"), g.numpy())
        np.savez(os.path.join(d, "grads.npz"), **grads)
        # A small regression set: targets from a perturbed copy of the model.
        tx = torch.randn(24, *shape[1:], generator=gen, dtype=dtype)
        with torch.no_grad():
            t = model(tx) + 0.1 * torch.randn(model(tx).shape, generator=gen, dtype=dtype)
        np.savez(os.path.join(d, "train.npz"), x=tx.numpy(), t=t.numpy())
        meta = {"dtype": str(dtype).replace("torch.", ""), "tol": tol, "kind": kind}
        if kind == "std":
            model.eval()
            with torch.no_grad():
                np.save(os.path.join(d, "y_eval.npy"), model(x).numpy())
            for opset in (13, 17):
                torch.onnx.export(model, (x,), os.path.join(d, "eval_opset%d.onnx" % opset), opset_version=opset,
                                  input_names=["x"], output_names=["y"],
                                  dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        import onnx
        m = onnx.load(os.path.join(d, "model.onnx"))
        meta["qp_nodes"] = sum(1 for nd in m.graph.node if nd.domain == optnet_onnx.DOMAIN)
        meta["initializers"] = sorted(t.name for t in m.graph.initializer)
        meta["params"] = sorted(k for k, _ in model.named_parameters())
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(meta, f)
        print("exported", name, "qp nodes", meta["qp_nodes"])


def check_all(root):
    bad = 0
    for name in sorted(cases()):
        d = os.path.join(root, name)
        trained = os.path.join(d, "trained.onnx")
        if not os.path.exists(trained):
            continue
        model, shape, dtype, tol, kind = build(name)
        model.load_state_dict(torch.load(os.path.join(d, "state.pt")))
        before = {k: v.clone() for k, v in model.state_dict().items()}
        report = optnet_onnx.load_onnx_weights(model, trained, verbose=False)
        changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
        x = torch.from_numpy(np.load(os.path.join(d, "x.npy")))
        model.train()  # the file is a training-mode export (BatchNorm: batch statistics)
        with torch.no_grad():
            y = model(x).numpy()
        want = np.load(os.path.join(d, "y_trained.npy"))
        diff = float(np.abs(y - want).max())
        ok = diff <= tol * (1 + float(np.abs(want).max())) and report.ok() and not report.unexpected and changed
        print("%s %s: max |pytorch - optrun| after load_onnx_weights %.3g (tol %g), loaded %d, changed %d, missing %s, unexpected %s"
              % ("ok" if ok else "FAIL", name, diff, tol, len(report.loaded), len(changed), report.missing, report.unexpected))
        bad += not ok
    return bad


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("export", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "export":
        export_all(sys.argv[2])
    else:
        sys.exit(1 if check_all(sys.argv[2]) else 0)
