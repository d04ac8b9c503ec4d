#!/usr/bin/python3
"""Independent reference output for the tuned TV denoiser's sample.

Reads the ONNX model written by `go run ./models/denoise` (the learned D,
zero-summed by row as the graph does, and λ from c_lambda), solves

    min_y ½‖y − x‖² + λ‖D y‖₁

for every sample input x with cvxopt (as the QP over [y; t] with
G = [[D, −I], [−D, −I]], h = 0), and writes the solutions as
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
    D = init["D"]
    D = D - D.mean(axis=1, keepdims=True)
    k, n = D.shape
    lam = init["c_lambda"][n:]
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
        p = np.concatenate([-row, lam])
        r = solvers.qp(cvxopt.matrix(Q), cvxopt.matrix(p), cvxopt.matrix(G), cvxopt.matrix(h))
        if r["status"] != "optimal":
            print(f"signal {i}: cvxopt status {r['status']}", file=sys.stderr)
        out[i] = np.array(r["x"]).ravel()[:n]
    os.makedirs(os.path.join(folder, "reference"), exist_ok=True)
    np.save(os.path.join(folder, "reference", "denoised.npy"), out.astype(np.float32))
    print(f"wrote {folder}/reference/denoised.npy ({out.shape[0]} signals, λ = {lam[0]:g})")


if __name__ == "__main__":
    main()
