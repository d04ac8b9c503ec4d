#!/usr/bin/env python3
"""Times qpth (github.com/locuslab/qpth, run unchanged from its source tree)
on the problems qpbench wrote (-dump DIR), forward and forward+backward, and
checks its z against optnet's. Writes JSON lines like qpbench's.

    bench_qpth.py --qpth QPTH_SRC --cases DIR [--json OUT] [--reps 5] [--device cuda]

qpth is a peer here, not part of optnet: its source is fetched into an
ignored folder (.tools/qpth) and imported from there. Its cvxpy solver is
never used; when cvxpy is not installed an empty module stands in for it so
that qpth's package imports.

Timings are wall-clock medians after one warm-up call, with
torch.cuda.synchronize() before the clock stops; the problem data are
already on the device (qpth never copies from host memory here, unlike
qpbench's timings of optnet, which include the copies from Go memory).
"""
import argparse
import glob
import json
import os
import sys
import time
import types


def load_case(path):
    import numpy as np
    with open(path + ".json") as f:
        hdr = json.load(f)
    raw = np.fromfile(path + ".bin", dtype="<f8")
    arrays = {}
    for name, a in hdr["arrays"].items():
        off, nbytes, shape = a["offset"], a["nbytes"], a["shape"]
        if nbytes == 0:
            arrays[name] = None
            continue
        arrays[name] = raw[off // 8:(off + nbytes) // 8].reshape(shape)
    return hdr["meta"], arrays


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qpth", required=True, help="qpth source tree (holds the qpth package)")
    ap.add_argument("--cases", required=True, help="directory of qpbench -dump output")
    ap.add_argument("--json", default="", help="append results here (JSON lines)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()

    try:
        import cvxpy  # noqa: F401
    except ImportError:
        sys.modules["cvxpy"] = types.ModuleType("cvxpy")
    sys.path.insert(0, os.path.abspath(args.qpth))
    import torch
    from qpth.qp import QPFunction

    device = args.device
    if device == "cuda" and not torch.cuda.is_available():
        print("bench_qpth: no CUDA device for torch; timing on the CPU", file=sys.stderr)
        device = "cpu"
    name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    out = open(args.json, "a") if args.json else None

    def emit(rec):
        rec["device"] = name
        rec["torch"] = torch.__version__
        line = json.dumps(rec)
        print(line)
        if out:
            out.write(line + "\n")
            out.flush()

    for js in sorted(glob.glob(os.path.join(args.cases, "*.json"))):
        path = js[:-5]
        meta, a = load_case(path)
        base = {"case": meta["name"], "shape": meta["shape"], "layout": meta["layout"], "B": meta["B"],
                "n": meta["n"], "m": meta["m"], "k": meta["neq"], "solver": "qpth"}
        if meta.get("psd_Q"):
            for mode in ("forward", "forward+backward"):
                emit(dict(base, mode=mode, note="n/a: Q is only positive semidefinite; qpth needs Q positive definite"))
            continue

        def t(x, grad=False):
            if x is None:
                return torch.empty(0, dtype=torch.float64, device=device)
            return torch.tensor(x, dtype=torch.float64, device=device, requires_grad=grad)

        def solve(grad):
            Q, p, G, h = t(a["Q"], grad), t(a["p"], grad), t(a["G"], grad), t(a["h"], grad)
            A, b = t(a["A"], grad and a["A"] is not None), t(a["b"], grad and a["b"] is not None)
            z = QPFunction(verbose=-1, eps=1e-12, maxIter=20, notImprovedLim=3)(Q, p, G, h, A, b)
            return z

        dl = torch.tensor(a["dl_dz"], dtype=torch.float64, device=device)
        try:
            z = solve(True)
            z.backward(dl)
            sync()
        except Exception as e:  # qpth's failures are reported, not fatal
            for mode in ("forward", "forward+backward"):
                emit(dict(base, mode=mode, note="error: %s" % e))
            continue
        zq = z.detach().cpu().numpy()
        import numpy as np
        diff = float(np.nanmax(np.abs(zq - a["z"]))) if a["z"] is not None else None
        for mode in ("forward", "forward+backward"):
            times = []
            for _ in range(args.reps):
                grad = mode != "forward"
                # Tensors are made before the clock starts: only the solve
                # (and the backward) are timed.
                Q, p, G, h = t(a["Q"], grad), t(a["p"], grad), t(a["G"], grad), t(a["h"], grad)
                A, b = t(a["A"], grad and a["A"] is not None), t(a["b"], grad and a["b"] is not None)
                sync()
                t0 = time.perf_counter()
                z = QPFunction(verbose=-1, eps=1e-12, maxIter=20, notImprovedLim=3)(Q, p, G, h, A, b)
                if grad:
                    z.backward(dl)
                sync()
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            emit(dict(base, mode=mode, median_ms=times[len(times) // 2], min_ms=times[0], reps=args.reps,
                      max_abs_z_vs_optnet=diff))


if __name__ == "__main__":
    main()
