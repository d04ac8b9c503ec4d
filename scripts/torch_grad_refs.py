#!/usr/bin/python3
"""PyTorch references for optnet's training path (train/torch_test.go).

Builds small models in PyTorch, exports each to ONNX in training mode without
constant folding (so the initializers keep the parameters' names), and saves
fixed inputs, an upstream gradient, the outputs and the gradient of every
parameter, computed by PyTorch's autograd. The Go test runs the same model
through optnet's runtime (forward + tape backward) and compares.

Run with Debian's packages (python3-torch 1.13, python3-onnx, python3-cvxopt):

    /usr/bin/python3 scripts/torch_grad_refs.py

It writes train/testdata/torch/<model>.onnx and <model>.refs.pb. A .refs.pb is
an ONNX GraphProto whose initializers are the reference tensors:

    in/<input>       model inputs            seed/<output>  upstream gradient
    out/<output>     PyTorch's outputs       grad/<param>   d<seed, output>/d param
    steps/...        (cnn only) a few SGD steps on cross-entropy: the batches
                     (steps/<k>/x, steps/<k>/label), the losses, and the
                     parameters and BatchNorm running statistics afterwards
    opt/...          (mlp, mlp32) a few steps of Adam, Adam with L2 decay and
                     gradient clipping, AdamW, and SGD with Nesterov momentum,
                     weight decay, clipping and a step schedule, on MSE: the
                     batches, the losses and the parameters afterwards

Models: mlp (float64) and mlp32 (float32); cnn (Conv, BatchNorm in training
mode, ReLU, MaxPool, Dropout p=0, Flatten, Linear); transformer encoder
layers at opset 13 and 17; linqp (Linear -> QP(Q, p, G, h) -> Linear) and
linqp_eq (Linear -> QP(Q, p, "", "", A, b) -> Linear), whose QP layer is a
torch.autograd.Function: the forward solves each item with cvxopt and then
polishes the solution on its active set (so it is exact to rounding), the
backward differentiates the KKT conditions by the implicit function theorem
(checked here against central finite differences), and the ONNX symbolic
emits one com.optnet::QP node.
"""
import copy
import io
import os
import sys
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train", "testdata", "torch")


# ---------------------------------------------------------------------------
# The QP layer: z = argmin ½zᵀ·sym(Q)·z + pᵀz  s.t.  Gz ≤ h, Az = b.

def solve_item(Q, p, G, h, A, b):
    """Exact solution (z, lam, nu) of one QP, all float64 numpy arrays.

    cvxopt finds the active set; the equality-constrained KKT system on that
    set is then solved directly, which removes the interior-point residue.
    """
    from cvxopt import matrix, solvers
    solvers.options.update({"show_progress": False, "abstol": 1e-12, "reltol": 1e-12,
                            "feastol": 1e-12, "maxiters": 200})
    Qs = 0.5 * (Q + Q.T)
    n = p.shape[0]
    m = 0 if G is None else G.shape[0]
    k = 0 if A is None else A.shape[0]
    args = [matrix(Qs), matrix(p)]
    if m:
        args += [matrix(G), matrix(h)]
    else:
        args += [None, None]
    if k:
        args += [matrix(A), matrix(b)]
    sol = solvers.qp(*args)
    if sol["status"] != "optimal":
        raise RuntimeError("cvxopt: " + sol["status"])
    active = []
    if m:
        lam0 = np.array(sol["z"]).ravel()
        s0 = np.array(sol["s"]).ravel()
        active = [i for i in range(m) if lam0[i] > s0[i]]
    na = len(active)
    K = np.zeros((n + na + k, n + na + k))
    r = np.zeros(n + na + k)
    K[:n, :n] = Qs
    r[:n] = -p
    if na:
        Ga = G[active]
        K[:n, n:n + na] = Ga.T
        K[n:n + na, :n] = Ga
        r[n:n + na] = h[active]
    if k:
        K[:n, n + na:] = A.T
        K[n + na:, :n] = A
        r[n + na:] = b
    x = np.linalg.solve(K, r)
    z = x[:n]
    lam = np.zeros(m)
    lam[active] = x[n:n + na]
    nu = x[n + na:]
    if m:
        slack = h - G @ z
        inactive = [i for i in range(m) if i not in active]
        # Strict complementarity keeps the solution map differentiable and
        # the references meaningful.
        if na and lam[active].min() < 1e-4:
            raise RuntimeError("weakly active constraint (lam %g)" % lam[active].min())
        if inactive and slack[inactive].min() < 1e-4:
            raise RuntimeError("nearly active constraint (slack %g)" % slack[inactive].min())
    return z, lam, nu


def kkt(z, lam, nu, Q, p, G, h, A, b):
    """The KKT map F(x, θ) whose zero is the solution (torch, one item)."""
    Qs = 0.5 * (Q + Q.transpose(-1, -2))
    parts = [Qs @ z + p]
    if G is not None:
        parts[0] = parts[0] + G.transpose(-1, -2) @ lam
        parts.append(lam * (G @ z - h))
    if A is not None:
        parts[0] = parts[0] + A.transpose(-1, -2) @ nu
        parts.append(A @ z - b)
    return torch.cat(parts)


def item_of(t, i, rank):
    """Item i of a batched input, or the shared input itself."""
    if t is None:
        return None
    return t[i] if t.dim() == rank + 1 else t


class QPFunction(torch.autograd.Function):
    """Batched QP with inputs (Q, p, G, h, A, b); any of G/h, A/b may be None."""

    @staticmethod
    def forward(ctx, Q, p, G, h, A, b):
        B = p.shape[0]
        zs, lams, nus = [], [], []
        for i in range(B):
            args = [item_of(t, i, r) for t, r in ((Q, 2), (p, 1), (G, 2), (h, 1), (A, 2), (b, 1))]
            z, lam, nu = solve_item(*[None if a is None else a.detach().double().numpy() for a in args])
            zs.append(z)
            lams.append(lam)
            nus.append(nu)
        z = torch.tensor(np.array(zs), dtype=p.dtype)
        ctx.save_for_backward(Q, p, G, h, A, b)
        ctx.sol = (np.array(zs), np.array(lams), np.array(nus))
        return z

    @staticmethod
    def backward(ctx, gz):
        Q, p, G, h, A, b = ctx.saved_tensors
        zs, lams, nus = ctx.sol
        inputs = (Q, p, G, h, A, b)
        grads = [None if t is None else torch.zeros_like(t, dtype=torch.float64) for t in inputs]
        n = p.shape[-1]
        with torch.enable_grad():
            for i in range(p.shape[0]):
                theta = [None if t is None else item_of(t, j, r).detach().double().requires_grad_(True)
                         for j, (t, r) in enumerate(zip(inputs, (2, 1, 2, 1, 2, 1)))]
                z, lam, nu = (torch.tensor(v[i]) for v in (zs, lams, nus))
                x = torch.cat([z, lam, nu])
                m, k = lam.shape[0], nu.shape[0]

                def F_of_x(x):
                    return kkt(x[:n], x[n:n + m], x[n + m:], *[None if t is None else t.detach() for t in theta])

                J = torch.autograd.functional.jacobian(F_of_x, x)
                rhs = torch.cat([gz[i].double(), torch.zeros(m + k, dtype=torch.float64)])
                w = torch.linalg.solve(J.T, rhs)
                Fv = kkt(z, lam, nu, *theta)
                live = [t for t in theta if t is not None]
                gs = torch.autograd.grad(Fv, live, grad_outputs=-w, allow_unused=True)
                it = iter(gs)
                for j, t in enumerate(theta):
                    if t is None:
                        continue
                    gj = next(it)
                    if gj is None:
                        continue
                    if inputs[j].dim() == t.dim() + 1:
                        grads[j][i] += gj
                    else:
                        grads[j] += gj
        return tuple(None if g is None else g.to(t.dtype) for g, t in zip(grads, inputs))

    @staticmethod
    def symbolic(g, Q, p, G, h, A, b):
        args = [Q, p, G, h, A, b]
        while args[-1] is None:  # trailing optional inputs are left out
            args.pop()
        for i, v in enumerate(args):
            if v is None:  # an absent input before a present one: ""
                none = g.op("prim::Constant")
                none.setType(torch._C.OptionalType.ofTensor())
                args[i] = none
        z = g.op("com.optnet::QP", *args)
        z.setType(p.type())
        return z


class QPLayer(nn.Module):
    """z = QP(Q, p, G, h, A, b) with learnable shared Q and constraints."""

    def __init__(self, n, m, k, rng):
        super().__init__()
        M = torch.tensor(rng.normal(size=(n, n)))
        self.Q = nn.Parameter(M @ M.T / n + torch.eye(n))
        self.G = self.h = self.A = self.b = None
        if m:
            self.G = nn.Parameter(torch.tensor(rng.normal(size=(m, n))))
            self.h = nn.Parameter(torch.tensor(0.1 + 0.2 * rng.random(m)))
        if k:
            self.A = nn.Parameter(torch.tensor(rng.normal(size=(k, n))))
            self.b = nn.Parameter(torch.tensor(rng.normal(size=k)))

    def forward(self, p):
        return QPFunction.apply(self.Q, p, self.G, self.h, self.A, self.b)


class LinQP(nn.Module):
    """x -> Linear -> p;  z = QP(Q, p, G, h, A, b);  y = Linear(z)."""

    def __init__(self, d, n, m, k, out, rng):
        super().__init__()
        self.fc1 = nn.Linear(d, n)
        self.qp = QPLayer(n, m, k, rng)
        self.fc2 = nn.Linear(n, out)

    def forward(self, x):
        return self.fc2(self.qp(self.fc1(x)))


# ---------------------------------------------------------------------------
# Other models.

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.fc2 = nn.Linear(16, 12)
        self.fc3 = nn.Linear(12, 4)

    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(F.relu(self.fc1(x)))))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(4, 6, 3)
        self.fc = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        x = self.drop(self.pool(F.relu(self.bn(self.conv1(x)))))
        x = torch.flatten(F.relu(self.conv2(x)), 1)
        return self.fc(x)


# ---------------------------------------------------------------------------

def export(model, x, opset, custom=None):
    """ONNX bytes of model in training mode, no constant folding. Tracing
    runs a training forward, which advances BatchNorm's running statistics,
    so the module's state is then reset to the exported initializers."""
    f = io.BytesIO()
    kw = {}
    if custom:
        kw["custom_opsets"] = custom
    torch.onnx.export(model, (x,), f, opset_version=opset,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, **kw)
    model.train()
    mp = onnx.load_from_string(f.getvalue())
    for name, p in model.named_parameters():
        if name not in [t.name for t in mp.graph.initializer]:
            raise RuntimeError("parameter %s is not an initializer of the export" % name)
    reset_to(model, mp)
    return f.getvalue()


def reset_to(model, mp):
    """Sets the module's parameters and buffers to the model's initializers."""
    inits = {t.name: numpy_helper.to_array(t) for t in mp.graph.initializer}
    with torch.no_grad():
        for name, v in model.state_dict().items():
            if name in inits:
                v.copy_(torch.tensor(inits[name]))


def tensor_proto(name, a):
    return numpy_helper.from_array(np.ascontiguousarray(a), name)


def reference(name, model, x, opset=13, custom=None, steps=None):
    data = export(model, x, opset, custom)
    torch.manual_seed(1)
    x = x.detach().clone()
    y = model(x)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    seed = torch.tensor(rng.normal(size=tuple(y.shape)), dtype=y.dtype)
    model.zero_grad()
    (y * seed).sum().backward()
    refs = [tensor_proto("in/x", x.numpy()), tensor_proto("seed/y", seed.numpy()),
            tensor_proto("out/y", y.detach().numpy())]
    for pname, p in model.named_parameters():
        if p.grad is None:
            raise RuntimeError("%s: no gradient for %s" % (name, pname))
        refs.append(tensor_proto("grad/" + pname, p.grad.numpy()))
    if steps:
        # The reference forward advanced the running statistics: start the
        # steps from the exported state, as the Go test does.
        reset_to(model, onnx.load_from_string(data))
        refs += steps(model)
    g = onnx.helper.make_graph([], name + "_refs", [], [], initializer=refs)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(data)
    with open(os.path.join(OUT, name + ".refs.pb"), "wb") as f:
        f.write(g.SerializeToString())
    print("%-14s opset %d  %d params, %d bytes" % (name, opset, len(list(model.parameters())),
                                                   len(data) + len(g.SerializeToString())))


def cnn_steps(model, nsteps=3, lr=0.1, batch=6):
    """A few plain SGD steps on cross-entropy, recording the batches, the
    losses, the parameters and the BatchNorm running statistics after them.
    PyTorch blends the *unbiased* batch variance into running_var; the ONNX
    BatchNormalization spec (training_mode=1) the population variance, so
    the spec's value is recorded too (steps/onnx_running_var), computed
    from the batch variances PyTorch saw."""
    g = torch.Generator().manual_seed(7)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    bn = model.bn
    mom = bn.momentum
    rv_spec = bn.running_var.clone()
    seen = []
    hook = bn.register_forward_hook(lambda mod, inp, out: seen.append(inp[0].detach().clone()))
    out, losses = [], []
    for k in range(nsteps):
        x = torch.randn(batch, 2, 8, 8, generator=g, dtype=torch.float64)
        label = torch.randint(0, 5, (batch,), generator=g)
        out += [tensor_proto("steps/%d/x" % k, x.numpy()), tensor_proto("steps/%d/label" % k, label.numpy())]
        opt.zero_grad()
        loss = F.cross_entropy(model(x), label)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        v = seen[-1].var(dim=(0, 2, 3), unbiased=False)
        rv_spec = (1 - mom) * rv_spec + mom * v
    hook.remove()
    out.append(tensor_proto("steps/loss", np.array(losses)))
    out.append(tensor_proto("steps/lr", np.array([lr])))
    for pname, p in model.named_parameters():
        out.append(tensor_proto("steps/param/" + pname, p.detach().numpy()))
    out.append(tensor_proto("steps/bn.running_mean", bn.running_mean.numpy()))
    out.append(tensor_proto("steps/bn.running_var", bn.running_var.numpy()))
    out.append(tensor_proto("steps/onnx_running_var", rv_spec.numpy()))
    return out


OPTIMIZERS = {
    # kind: (optimizer, schedule or None, clip norm or None)
    "adam": (lambda ps: torch.optim.Adam(ps, lr=0.01),
             lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.001), None),
    "adam_l2_clip": (lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.05), None, 0.1),
    "adamw": (lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1), None, None),
    "sgd_nesterov_clip": (lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
                          lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 0.5),
}


def optimizer_steps(model, nsteps=5, batch=8):
    """nsteps of each optimizer in OPTIMIZERS on MSE (from the exported
    parameters each time): the batches, the losses and the parameters
    after the steps. (clip_grad_norm_ divides by norm + 1e-6; optnet by the
    norm: a 1e-6 relative difference in the clipped step.)"""
    g = torch.Generator().manual_seed(11)
    dt = next(model.parameters()).dtype
    data = [(torch.randn(batch, 6, generator=g).to(dt), torch.randn(batch, 4, generator=g).to(dt))
            for _ in range(nsteps)]
    out = []
    for k, (x, t) in enumerate(data):
        out += [tensor_proto("opt/data/%d/x" % k, x.numpy()), tensor_proto("opt/data/%d/t" % k, t.numpy())]
    start = copy.deepcopy(model.state_dict())
    for kind, (make, sched, clip) in OPTIMIZERS.items():
        model.load_state_dict(start)
        opt = make(model.parameters())
        sch = sched(opt) if sched else None
        losses = []
        for x, t in data:
            opt.zero_grad()
            loss = F.mse_loss(model(x), t)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            if sch:
                sch.step()
            losses.append(loss.item())
        out.append(tensor_proto("opt/%s/loss" % kind, np.array(losses)))
        for pname, p in model.named_parameters():
            out.append(tensor_proto("opt/%s/param/%s" % (kind, pname), p.detach().numpy()))
    model.load_state_dict(start)
    return out


def fd_check(model, x, rtol=1e-6):
    """Checks the QP layer's KKT backward against central differences of
    the whole model (float64), parameter by parameter."""
    torch.manual_seed(3)
    seed = torch.randn(model(x).shape, dtype=torch.float64)
    model.zero_grad()
    (model(x) * seed).sum().backward()
    worst = 0.0
    with torch.no_grad():
        for pname, p in model.named_parameters():
            flat = p.view(-1)
            fd = torch.zeros_like(flat)
            for j in range(flat.numel()):
                old = flat[j].item()
                eps = 1e-6 * max(1.0, abs(old))
                flat[j] = old + eps
                fp = (model(x) * seed).sum().item()
                flat[j] = old - eps
                fm = (model(x) * seed).sum().item()
                flat[j] = old
                fd[j] = (fp - fm) / (2 * eps)
            err = (fd - p.grad.view(-1)).abs().max().item() / max(fd.abs().max().item(), 1e-12)
            worst = max(worst, err)
            if err > rtol:
                raise RuntimeError("QP backward vs finite differences: %s off by %g" % (pname, err))
    return worst


def main():
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    rng = np.random.default_rng(20240611)

    reference("mlp", MLP(), torch.randn(5, 6), steps=optimizer_steps)
    m32 = MLP().float()
    reference("mlp32", m32, torch.randn(5, 6, dtype=torch.float32), steps=optimizer_steps)

    reference("cnn", CNN(), torch.randn(4, 2, 8, 8), steps=cnn_steps)

    for opset in (13, 17):
        torch.manual_seed(opset)
        layer = nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
        reference("transformer%d" % opset, layer, torch.randn(3, 5, 16), opset=opset)

    custom = {"com.optnet": 1}
    qp = LinQP(5, 6, 8, 0, 3, rng)
    xq = torch.tensor(rng.normal(size=(4, 5)))
    print("  linqp: KKT backward vs finite differences, worst relative error %.2e" % fd_check(qp, xq))
    reference("linqp", qp, xq, custom=custom)
    qpe = LinQP(5, 6, 0, 2, 3, rng)
    xe = torch.tensor(rng.normal(size=(4, 5)))
    print("  linqp_eq: KKT backward vs finite differences, worst relative error %.2e" % fd_check(qpe, xe))
    reference("linqp_eq", qpe, xe, custom=custom)

    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("total %d bytes in %s" % (total, os.path.normpath(OUT)))
    if total > 2 << 20:
        sys.exit("references exceed 2 MB")


if __name__ == "__main__":
    main()
