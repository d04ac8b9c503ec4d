#!/usr/bin/python3
"""Time cvxopt on the QP benchmark shapes of ops/qp (bench_test.go).

cvxopt solves one QP at a time, so a batch costs the sum over its items.
The data follow the same recipes as the Go benchmarks (not the same random
numbers). Tolerances are cvxopt's defaults; one thread (set OMP/BLAS
threads before running for a fair single-thread comparison).

    /usr/bin/python3 scripts/qp_bench_cvxopt.py            # all shapes
    /usr/bin/python3 scripts/qp_bench_cvxopt.py B128_n100_m100

Prints one line per shape: name, milliseconds per batch, mean iterations.
"""
import sys
import time

import numpy as np
from cvxopt import matrix, solvers

solvers.options["show_progress"] = False


def random_shape(b, n, m, k, rng):
    items = []
    for _ in range(b):
        L = rng.normal(size=(n, n))
        Q = L @ L.T / n + 0.1 * np.eye(n)
        G = rng.normal(size=(m, n))
        h = 0.2 + rng.random(m)
        p = rng.normal(size=n)
        A = rng.normal(size=(k, n)) if k else None
        bb = np.zeros(k) if k else None
        items.append((Q, p, G, h, A, bb))
    return items


def sudoku(rng):
    n, m, k = 64, 64, 40
    Q, G, h = 0.1 * np.eye(n), -np.eye(n), np.zeros(m)
    A = rng.random((k, n))
    b = A.sum(axis=1)
    items = []
    for _ in range(150):
        p = np.zeros(n)
        p[rng.integers(n)] = -1
        items.append((Q, p, G, h, A, b))
    return items


def denoise(rng):
    N, lam = 100, 0.5
    n, m = 2 * N - 1, 2 * (N - 1)
    Q = np.zeros((n, n))
    Q[:N, :N] = np.eye(N)
    D = np.zeros((N - 1, N))
    for i in range(N - 1):
        D[i, i], D[i, i + 1] = -1, 1
    I = np.eye(N - 1)
    G = np.block([[D, -I], [-D, -I]])
    h = np.zeros(m)
    items = []
    for _ in range(150):
        level = 0.0
        x = np.empty(N)
        for j in range(N):
            if j % 20 == 0:
                level = rng.normal()
            x[j] = level + 0.3 * rng.normal()
        p = np.concatenate([-x, lam * np.ones(N - 1)])
        items.append((Q, p, G, h, None, None))
    return items


SHAPES = {
    "B128_n10_m10": lambda rng: random_shape(128, 10, 10, 0, rng),
    "B128_n50_m50": lambda rng: random_shape(128, 50, 50, 0, rng),
    "B128_n100_m100": lambda rng: random_shape(128, 100, 100, 0, rng),
    "B128_n100_m100_k20": lambda rng: random_shape(128, 100, 100, 20, rng),
    "sudoku_B150_n64_m64_k40": sudoku,
    "denoise_B150_n199_m198": denoise,
}


def main():
    names = sys.argv[1:] or list(SHAPES)
    for name in names:
        items = SHAPES[name](np.random.default_rng(1))
        args = []
        for Q, p, G, h, A, b in items:
            a = [matrix(Q), matrix(p), matrix(G), matrix(h)]
            if A is not None:
                a += [matrix(A), matrix(b)]
            args.append(a)
        t0 = time.perf_counter()
        iters = 0
        for a in args:
            sol = solvers.qp(*a)
            iters += sol["iterations"]
        dt = time.perf_counter() - t0
        print(f"{name}\t{dt * 1e3:.1f}\t{iters / len(args):.2f}")


if __name__ == "__main__":
    main()
