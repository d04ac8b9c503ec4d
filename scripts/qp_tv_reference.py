#!/usr/bin/python3
"""Reference solutions of the total-variation denoising QP, solved by cvxopt.

    minimise ½‖y − x‖² + λ·Σ t   subject to  |D y| ≤ t   (D: first differences)

written as the QP over z = [y; t] (n = 2N−1) that ops/qp/qptest builds in Go:
Q = blockdiag(I_N, 0_{N−1}), p = [−x; λ·1], G = [[D, −I], [−D, −I]], h = 0.
Q is only positive semidefinite, which exercises the solver's primal path.

Run with Debian's python3-cvxopt:  /usr/bin/python3 scripts/qp_tv_reference.py
It writes ops/qp/qptest/testdata/tv_cvxopt.json (x, λ, and cvxopt's z).
"""
import json
import os

import numpy as np
from cvxopt import matrix, solvers

N = 100
B = 4
LAM = 0.5
SEED = 20240611


def tv_qp(x, lam):
    n = 2 * N - 1
    Q = np.zeros((n, n))
    Q[:N, :N] = np.eye(N)
    p = np.concatenate([-x, lam * np.ones(N - 1)])
    D = np.zeros((N - 1, N))
    for i in range(N - 1):
        D[i, i], D[i, i + 1] = -1.0, 1.0
    I = np.eye(N - 1)
    G = np.block([[D, -I], [-D, -I]])
    h = np.zeros(2 * (N - 1))
    return Q, p, G, h


def main():
    rng = np.random.default_rng(SEED)
    solvers.options.update(
        {"show_progress": False, "abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10, "maxiters": 200})
    xs, zs, status = [], [], []
    for _ in range(B):
        # A piecewise-constant signal plus noise.
        steps = np.repeat(rng.normal(size=5), N // 5)
        x = steps + 0.3 * rng.normal(size=N)
        Q, p, G, h = tv_qp(x, LAM)
        sol = solvers.qp(matrix(Q), matrix(p), matrix(G), matrix(h))
        xs.append(x.tolist())
        zs.append(np.array(sol["x"]).ravel().tolist())
        status.append(sol["status"])
    out = {
        "about": "TV denoising QP solved by cvxopt; see scripts/qp_tv_reference.py",
        "N": N, "lambda": LAM, "seed": SEED,
        "cvxopt_status": status,
        "cvxopt_options": {"abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10},
        "x": xs, "z": zs,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "ops", "qp", "qptest", "testdata", "tv_cvxopt.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", os.path.normpath(path), status)


if __name__ == "__main__":
    main()
