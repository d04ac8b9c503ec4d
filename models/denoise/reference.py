#!/usr/bin/python3
"""Independent reference output for the tuned TV denoiser's sample.

Reads the ONNX model written by `go run ./models/denoise` (D from G_tv, λ from
lambda_lift, and the learned coupling numbers a and per-row weights w), builds
A = I + Σ_{|k|≤K} a_k S_k + a_μ 11ᵀ/100 ((S_k)_ij = 1 for j = i + k) itself,
solves

    min_y ½‖y‖² − yᵀ(A x) + Σ_i λ w_i |(D y)_i|

for every sample input x with cvxopt (as the QP over [y; t] with
p = [−A x; λ w], G = [[D, −I], [−D, −I]], h = 0), and writes the solutions as
reference/denoised.npy, float32. optnet's output on the sample must match it
(cmd/optrun checks max |diff| ≤ 1e-4).

Run from the repository root with Debian's python3-cvxopt and python3-onnx:
    /usr/bin/python3 models/denoise/reference.py models/denoise/sample
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import cvxopt
from cvxopt import solvers


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("models", "denoise", "sample")
    model = onnx.load(os.path.join(folder, "model.onnx"))
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    G = init["G_tv"]
    k = G.shape[0] // 2
    n = G.shape[1] - k
    D = G[:k, :n]
    lam = init["lambda_lift"][0, n] * init["w"].ravel()
    a = init["a"].ravel()
    K = (len(a) - 2) // 2
    A = np.eye(n) + a[-1] / n * np.ones((n, n))
    for o in range(-K, K + 1):
        A += a[o + K] * np.eye(n, k=o)
    x = np.load(os.path.join(folder, "inputs", "noisy.npy")).astype(np.float64)
    Q = np.zeros((n + k, n + k))
    Q[:n, :n] = np.eye(n)
    G = np.block([[D, -np.eye(k)], [-D, -np.eye(k)]])
    h = np.zeros(2 * k)
    solvers.options["show_progress"] = False
    for opt in ("abstol", "reltol", "feastol"):
        solvers.options[opt] = 1e-9
    solvers.options["maxiters"] = 200
    out = np.zeros_like(x)
    for i, row in enumerate(x):
        p = np.concatenate([-A @ row, lam])
        r = solvers.qp(cvxopt.matrix(Q), cvxopt.matrix(p), cvxopt.matrix(G), cvxopt.matrix(h))
        if r["status"] != "optimal":
            print(f"signal {i}: cvxopt status {r['status']}", file=sys.stderr)
        out[i] = np.array(r["x"]).ravel()[:n]
    os.makedirs(os.path.join(folder, "reference"), exist_ok=True)
    np.save(os.path.join(folder, "reference", "denoised.npy"), out.astype(np.float32))
    print(f"wrote {folder}/reference/denoised.npy ({out.shape[0]} signals, λw from {lam.min():g} to {lam.max():g})")


if __name__ == "__main__":
    main()
