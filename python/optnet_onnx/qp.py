"""A differentiable batched QP layer for PyTorch that exports to ONNX as
one ``com.optnet::QP`` node (see docs/qp-op.md for the op's contract).

Each batch item solves

    z* = argmin_z 1/2 z'Qz + p'z   subject to   Gz <= h,  Az = b.

Every input is either batched (leading dimension B) or shared (no batch
dimension); G/h and A/b are optional pairs. The forward pass is a small
primal-dual interior-point method (Mehrotra predictor-corrector) written
with batched torch linear algebra, run in float64 whatever the input
dtype, like the Go op. The backward pass differentiates the KKT
conditions at the solution (OptNet, Amos & Kolter 2017, section 3); a
shared input receives the SUM of the per-item gradients, as in optnet.
"""

import torch

__all__ = ["QPFunction", "QPLayer", "qp_solve", "DOMAIN"]

DOMAIN = "com.optnet"

# Base ranks of the six inputs when shared: Q, p, G, h, A, b.
_BASE_RANK = (2, 1, 2, 1, 2, 1)
_NAMES = ("Q", "p", "G", "h", "A", "b")


class QPError(RuntimeError):
    """An item of the batch could not be solved."""


def _batch_size(args):
    """Returns B from the batched inputs (1 when none is batched)."""
    bsz = None
    for name, x, r in zip(_NAMES, args, _BASE_RANK):
        if x is None:
            continue
        if x.dim() == r + 1:
            if bsz is not None and x.shape[0] != bsz:
                raise ValueError("QP input %s has batch size %d, another input %d" % (name, x.shape[0], bsz))
            bsz = x.shape[0]
        elif x.dim() != r:
            raise ValueError("QP input %s has shape %s; want rank %d (shared) or %d (batched)"
                             % (name, tuple(x.shape), r, r + 1))
    return 1 if bsz is None else bsz


def _expand(x, r, bsz):
    """x as a float64 batched tensor (B, ...)."""
    x = x.detach().to(torch.float64)
    if x.dim() == r:
        x = x.unsqueeze(0).expand(bsz, *x.shape)
    return x


def _kkt(Q, G, A, d_g, d_s):
    """Builds the batched matrix [[Q, G'diag(d_g), A'], [G, -diag(d_s), 0], [A, 0, 0]]."""
    bsz, n, _ = Q.shape
    m = 0 if G is None else G.shape[1]
    k = 0 if A is None else A.shape[1]
    K = Q.new_zeros(bsz, n + m + k, n + m + k)
    K[:, :n, :n] = Q
    if m:
        Gt = G.transpose(1, 2)
        K[:, :n, n:n + m] = Gt * d_g.unsqueeze(1) if d_g is not None else Gt
        K[:, n:n + m, :n] = G
        K[:, n:n + m, n:n + m] = -torch.diag_embed(d_s)
    if k:
        K[:, :n, n + m:] = A.transpose(1, 2)
        K[:, n + m:, :n] = A
    return K


def _mv(M, v):
    return torch.bmm(M, v.unsqueeze(2)).squeeze(2)


def _max_step(x, dx):
    """Largest alpha in (0, 1] with x + alpha dx >= 0, per item."""
    ratio = torch.where(dx < 0, -x / dx, torch.full_like(x, float("inf")))
    a = ratio.min(dim=1).values if x.shape[1] else torch.full(x.shape[:1], float("inf"), dtype=x.dtype)
    return torch.clamp(a, max=1.0)


def qp_solve(Q, p, G=None, h=None, A=None, b=None, maxiter=50, tol=1e-13):
    """Solves the batch of QPs; returns (z, lam, nu, s) in float64, batched.

    Raises QPError naming the items whose best iterate fails the optimality
    check (infeasible, not convex or not converged problems).
    """
    if (G is None) != (h is None) or (A is None) != (b is None):
        raise ValueError("G and h (and A and b) must be given together")
    args = (Q, p, G, h, A, b)
    bsz = _batch_size(args)
    Q, p = _expand(Q, 2, bsz), _expand(p, 1, bsz)
    Q = 0.5 * (Q + Q.transpose(1, 2))
    n = p.shape[1]
    G = None if G is None or G.shape[-2] == 0 else _expand(G, 2, bsz)
    h = None if G is None else _expand(h, 1, bsz)
    A = None if A is None or A.shape[-2] == 0 else _expand(A, 2, bsz)
    b = None if A is None else _expand(b, 1, bsz)
    m = 0 if G is None else G.shape[1]
    k = 0 if A is None else A.shape[1]
    zeros = lambda c: p.new_zeros(bsz, c)
    rhs_eq = b if k else zeros(0)

    if m == 0:
        # Equality-only or unconstrained: one linear solve.
        x = torch.linalg.solve(_kkt(Q, None, A, None, None), torch.cat([-p, rhs_eq], 1))
        z, nu = x[:, :n], x[:, n:]
        _check(Q, p, G, h, A, b, z, zeros(0), nu, zeros(0))
        return z, zeros(0), nu, zeros(0)

    # Start: the minimiser of 1/2 z'Qz + p'z + 1/2|s|^2 s.t. Gz + s = h, Az = b.
    x = torch.linalg.solve(_kkt(Q, G, A, None, torch.ones(bsz, m, dtype=p.dtype)),
                           torch.cat([-p, h, rhs_eq], 1))
    z, nu = x[:, :n], x[:, n + m:]
    s = h - _mv(G, z)
    lam = -s.clone()
    for v in (s, lam):
        lo = v.min(dim=1, keepdim=True).values
        v += torch.where(lo <= 0, 1 - lo, torch.zeros_like(lo))

    best = [z.clone(), lam.clone(), nu.clone(), s.clone()]
    best_score = torch.full((bsz,), float("inf"), dtype=p.dtype)
    for _ in range(maxiter):
        rx = _mv(Q, z) + p + _mv(G.transpose(1, 2), lam)
        if k:
            rx = rx + _mv(A.transpose(1, 2), nu)
        rz = _mv(G, z) + s - h
        ry = _mv(A, z) - b if k else zeros(0)
        gap = (s * lam).sum(1)
        score = rx.norm(dim=1) + rz.norm(dim=1) + ry.norm(dim=1) + gap
        better = torch.isfinite(score) & (score < best_score)
        for i, v in enumerate((z, lam, nu, s)):
            best[i] = torch.where(better.unsqueeze(1), v, best[i])
        best_score = torch.where(better, score, best_score)
        active = best_score > tol
        if not bool(active.any()):
            break
        mu = gap / m
        K = _kkt(Q, G, A, None, s / lam)
        try:
            lu, piv = torch.linalg.lu_factor(K)
        except RuntimeError:
            break

        def direction(target):
            r2 = -rz + (s * lam - target) / lam
            d = torch.linalg.lu_solve(lu, piv, torch.cat([-rx, r2, -ry], 1).unsqueeze(2)).squeeze(2)
            dz, dlam, dnu = d[:, :n], d[:, n:n + m], d[:, n + m:]
            ds = -rz - _mv(G, dz)
            return dz, dlam, dnu, ds

        dz, dlam, dnu, ds = direction(torch.zeros_like(s))
        alpha = torch.minimum(_max_step(s, ds), _max_step(lam, dlam))
        mu_aff = ((s + alpha.unsqueeze(1) * ds) * (lam + alpha.unsqueeze(1) * dlam)).sum(1) / m
        sigma = torch.clamp((mu_aff / mu) ** 3, max=1.0)
        dz, dlam, dnu, ds = direction(sigma.unsqueeze(1) * mu.unsqueeze(1) - ds * dlam)
        alpha = torch.clamp(0.99 * torch.minimum(_max_step(s, ds), _max_step(lam, dlam)), max=1.0)
        ok = active & torch.isfinite(dz).all(1) & torch.isfinite(dlam).all(1) & torch.isfinite(ds).all(1)
        alpha = torch.where(ok, alpha, torch.zeros_like(alpha)).unsqueeze(1)
        dnu = torch.nan_to_num(dnu)
        z = z + alpha * torch.nan_to_num(dz)
        lam = lam + alpha * torch.nan_to_num(dlam)
        s = s + alpha * torch.nan_to_num(ds)
        if k:
            nu = nu + alpha * dnu
    z, lam, nu, s = best
    _check(Q, p, G, h, A, b, z, lam, nu, s)
    return z, lam, nu, s


def _check(Q, p, G, h, A, b, z, lam, nu, s, tol=1e-6):
    """Raises QPError for items whose iterate fails the acceptance check of docs/qp-op.md."""
    inf = lambda v: v.abs().amax(1) if v.shape[1] else v.new_zeros(v.shape[0])
    Qz = _mv(Q, z)
    rx, scale = Qz + p, torch.maximum(inf(Qz), inf(p))
    ok = torch.isfinite(z).all(1)
    if G is not None:
        Gtl, Gz = _mv(G.transpose(1, 2), lam), _mv(G, z)
        rx = rx + Gtl
        scale = torch.maximum(scale, inf(Gtl))
        ok &= inf(Gz - h) * 0 + torch.clamp(Gz - h, min=0).amax(1) <= tol * (1 + torch.maximum(inf(Gz), inf(h)))
        obj = 0.5 * (z * Qz).sum(1) + (p * z).sum(1)
        ok &= (s * lam).sum(1) <= tol * (1 + obj.abs())
    if A is not None:
        Atn, Az = _mv(A.transpose(1, 2), nu), _mv(A, z)
        rx = rx + Atn
        scale = torch.maximum(scale, inf(Atn))
        ok &= inf(Az - b) <= tol * (1 + torch.maximum(inf(Az), inf(b)))
    ok &= inf(rx) <= tol * (1 + scale)
    if not bool(ok.all()):
        bad = [i for i, v in enumerate(ok.tolist()) if not v]
        raise QPError("qp: items %s: not solved (infeasible, not convex or not converged)" % bad)


def _qp_grads(Q, p, G, h, A, b, z, lam, nu, s, gz):
    """Per-item gradients (float64, batched) of the six inputs for dl/dz = gz."""
    bsz, n = z.shape
    m, k = lam.shape[1], nu.shape[1]
    K = _kkt(Q, G, A, lam if m else None, s if m else None)
    rhs = torch.cat([-gz, z.new_zeros(bsz, m + k)], 1)
    d = torch.linalg.solve(K, rhs)
    dz, dlam, dnu = d[:, :n], d[:, n:n + m], d[:, n + m:]
    w = lam * dlam
    outer = lambda u, v: u.unsqueeze(2) * v.unsqueeze(1)
    grads = [0.5 * (outer(dz, z) + outer(z, dz)), dz, None, None, None, None]
    if m:
        grads[2] = outer(w, z) + outer(lam, dz)
        grads[3] = -w
    if k:
        grads[4] = outer(dnu, z) + outer(nu, dz)
        grads[5] = -dnu
    return grads


def _forward(ctx, args, eps, maxiter):
    dtype = args[1].dtype
    # Under torch.onnx.export the solver must not be traced: its
    # data-dependent loop is not part of the exported graph (the symbolic
    # function emits one QP node instead).
    state = torch._C._get_tracing_state()
    torch._C._set_tracing_state(None)
    try:
        z, lam, nu, s = qp_solve(*args)
        bsz = z.shape[0]
        ex = []
        for x, r in zip(args, _BASE_RANK):
            ex.append(None if x is None or (r == 2 and x.shape[-2] == 0) else _expand(x, r, bsz))
    finally:
        torch._C._set_tracing_state(state)
    ctx.shapes = [None if x is None else (x.dim(), x.dtype) for x in args]
    ctx.ex = ex
    ctx.save_for_backward(z, lam, nu, s)
    return z.to(dtype)


def _backward(ctx, gz):
    z, lam, nu, s = ctx.saved_tensors
    Q, p, G, h, A, b = ctx.ex
    Q = 0.5 * (Q + Q.transpose(1, 2))
    grads = _qp_grads(Q, p, G, h, A, b, z, lam, nu, s, gz.to(torch.float64))
    out = []
    for i, (g, sh) in enumerate(zip(grads, ctx.shapes)):
        if sh is None:
            continue  # absent: not an argument of this Function
        rank, dt = sh
        if g is None:  # an input with zero rows
            out.append(None)
            continue
        if rank == _BASE_RANK[i]:
            g = g.sum(0)  # shared: the sum over the batch
        out.append(g.to(dt))
    return tuple(out) + (None, None)


def _symbolic(g, args, eps, maxiter):
    Q, p, G, h, A, b = args
    none = None

    def absent():
        nonlocal none
        if none is None:
            none = g.op("prim::Constant")
            none.setType(torch._C.OptionalType.ofTensor())
        return none

    ins = [Q, p]
    if A is not None:
        ins += [G if G is not None else absent(), h if h is not None else absent(), A, b]
    elif G is not None:
        ins += [G, h]
    attrs = {}
    if eps is not None:
        attrs["eps_f"] = float(eps)
    if maxiter is not None:
        attrs["maxiter_i"] = int(maxiter)
    z = g.op(DOMAIN + "::QP", *ins, **attrs)
    try:
        # Tell the exporter z's type; torch 1.13 still warns that it has no
        # shape inference for custom-domain nodes (optnet_onnx.export
        # silences that warning).
        z.setType(_z_type(*args))
    except Exception:  # shapes unknown to the tracer: leave the type unset
        pass
    return z


# One autograd.Function per combination of present inputs: the tracer of
# torch.onnx.export (1.13) cannot take None tensor arguments.

class _QPFull(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q_Q, q_p, q_G, q_h, q_A, q_b, eps, maxiter):
        return _forward(ctx, (q_Q, q_p, q_G, q_h, q_A, q_b), eps, maxiter)

    @staticmethod
    def backward(ctx, gz):
        return _backward(ctx, gz)

    @staticmethod
    def symbolic(g, q_Q, q_p, q_G, q_h, q_A, q_b, eps, maxiter):
        return _symbolic(g, (q_Q, q_p, q_G, q_h, q_A, q_b), eps, maxiter)


class _QPIneq(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q_Q, q_p, q_G, q_h, eps, maxiter):
        return _forward(ctx, (q_Q, q_p, q_G, q_h, None, None), eps, maxiter)

    @staticmethod
    def backward(ctx, gz):
        return _backward(ctx, gz)

    @staticmethod
    def symbolic(g, q_Q, q_p, q_G, q_h, eps, maxiter):
        return _symbolic(g, (q_Q, q_p, q_G, q_h, None, None), eps, maxiter)


class _QPEq(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q_Q, q_p, q_A, q_b, eps, maxiter):
        return _forward(ctx, (q_Q, q_p, None, None, q_A, q_b), eps, maxiter)

    @staticmethod
    def backward(ctx, gz):
        return _backward(ctx, gz)

    @staticmethod
    def symbolic(g, q_Q, q_p, q_A, q_b, eps, maxiter):
        return _symbolic(g, (q_Q, q_p, None, None, q_A, q_b), eps, maxiter)


class _QPFree(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q_Q, q_p, eps, maxiter):
        return _forward(ctx, (q_Q, q_p, None, None, None, None), eps, maxiter)

    @staticmethod
    def backward(ctx, gz):
        return _backward(ctx, gz)

    @staticmethod
    def symbolic(g, q_Q, q_p, eps, maxiter):
        return _symbolic(g, (q_Q, q_p, None, None, None, None), eps, maxiter)


class QPFunction:
    """``QPFunction.apply(Q, p, G, h, A, b, eps=None, maxiter=None)``: the
    batched QP solution z (B, n), differentiable in every given input. G/h
    and A/b may be None. ``eps`` and ``maxiter`` (None: the op's defaults)
    become the exported node's attributes; the PyTorch solver always
    solves to full float64 accuracy."""

    @staticmethod
    def apply(Q, p, G=None, h=None, A=None, b=None, eps=None, maxiter=None):
        if (G is None) != (h is None) or (A is None) != (b is None):
            raise ValueError("G and h (and A and b) must be given together")
        if G is not None and A is not None:
            return _QPFull.apply(Q, p, G, h, A, b, eps, maxiter)
        if G is not None:
            return _QPIneq.apply(Q, p, G, h, eps, maxiter)
        if A is not None:
            return _QPEq.apply(Q, p, A, b, eps, maxiter)
        return _QPFree.apply(Q, p, eps, maxiter)


def _z_type(*ins):
    """The TensorType of z (B, n) from the inputs' traced types."""
    bsz, n = None, None
    for x, r in zip(ins, _BASE_RANK):
        if x is None:
            continue
        sizes = x.type().varyingSizes()
        if sizes is None:
            continue
        if len(sizes) == r + 1 and sizes[0] is not None:
            bsz = sizes[0]
    psizes = ins[1].type().varyingSizes()
    n = psizes[-1]
    if bsz is None and all(x is None or x.type().varyingSizes() is None or
                           len(x.type().varyingSizes()) == r for x, r in zip(ins, _BASE_RANK)):
        bsz = 1
    return ins[1].type().with_sizes([bsz, n])


class QPLayer(torch.nn.Module):
    """A QP layer: ``forward(Q, p, G=None, h=None, A=None, b=None)`` returns
    z (B, n). Build Q, G, ... from your own parameters (e.g. Q = LL' + eps I)
    and they export as ordinary ONNX ops feeding one com.optnet::QP node.

    eps and maxiter set the exported node's attributes (default: the op's
    defaults, 1e-12 and 20)."""

    def __init__(self, eps=None, maxiter=None):
        super().__init__()
        self.eps = eps
        self.maxiter = maxiter

    def forward(self, *inputs, **named):
        # The signature is (Q, p, G=None, h=None, A=None, b=None), taken
        # apart by hand: torch.jit's tracer names a module's traced inputs
        # after forward's parameters, so a model parameter called "G" fed
        # to forward(..., G, ...) would be exported as "G.1" and no longer
        # match its state_dict key.
        names = ("Q", "p", "G", "h", "A", "b")
        if len(inputs) > len(names):
            raise TypeError("QPLayer takes at most 6 inputs (Q, p, G, h, A, b)")
        args = dict(zip(names, inputs))
        for key, v in named.items():
            if key not in names or key in args:
                raise TypeError("QPLayer: unexpected or repeated argument %r" % key)
            args[key] = v
        if "Q" not in args or "p" not in args:
            raise TypeError("QPLayer needs Q and p")
        return QPFunction.apply(*(args.get(k) for k in names), eps=self.eps, maxiter=self.maxiter)
