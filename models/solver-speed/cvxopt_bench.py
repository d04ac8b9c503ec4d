#!/usr/bin/python3
"""Times cvxopt on the solver-speed problems, one problem after another.

Called by `go run ./models/solver-speed`, which writes the problems as .npy
files (Q: (B,n,n), p: (B,n), G: (B,m,n), h: (B,m)) into a folder and reads
back what this script writes there:

  cvxopt_times_<n>.csv    batch,seconds (best of --reps runs)
  cvxopt_z_<n>.npy        the solutions of all problems (B, n)
  cvxopt_iters_<n>.npy    cvxopt's iteration counts

Every problem is converted to cvxopt matrices before the clock starts, so
the time is cvxopt.solvers.qp alone.
"""
import argparse
import sys
import time

import numpy as np
import cvxopt
from cvxopt import solvers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--sizes", required=True, help="comma-separated n")
    ap.add_argument("--batches", required=True, help="comma-separated batch sizes")
    ap.add_argument("--tol", type=float, required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--budget", type=float, default=2.0,
                    help="stop repeating a batch size after this many seconds")
    a = ap.parse_args()
    solvers.options["show_progress"] = False
    solvers.options["abstol"] = a.tol
    solvers.options["reltol"] = a.tol
    solvers.options["feastol"] = a.tol
    solvers.options["maxiters"] = 100
    batches = [int(b) for b in a.batches.split(",")]
    for n in [int(s) for s in a.sizes.split(",")]:
        Q = np.load(f"{a.dir}/Q_{n}.npy")
        p = np.load(f"{a.dir}/p_{n}.npy")
        G = np.load(f"{a.dir}/G_{n}.npy")
        h = np.load(f"{a.dir}/h_{n}.npy")
        B = Q.shape[0]
        probs = [(cvxopt.matrix(Q[i]), cvxopt.matrix(p[i]), cvxopt.matrix(G[i]), cvxopt.matrix(h[i]))
                 for i in range(B)]
        z = np.full((B, n), np.nan)
        iters = np.zeros(B)
        for i, pr in enumerate(probs):
            r = solvers.qp(*pr)
            if r["status"] != "optimal":
                print(f"cvxopt: n={n} problem {i}: {r['status']}", file=sys.stderr)
            z[i] = np.array(r["x"]).ravel()
            iters[i] = r["iterations"]
        np.save(f"{a.dir}/cvxopt_z_{n}.npy", z)
        np.save(f"{a.dir}/cvxopt_iters_{n}.npy", iters)
        with open(f"{a.dir}/cvxopt_times_{n}.csv", "w") as f:
            f.write("batch,seconds\n")
            for b in batches:
                best = float("inf")
                spent = 0.0
                for _ in range(a.reps):
                    t0 = time.perf_counter()
                    for pr in probs[:b]:
                        solvers.qp(*pr)
                    dt = time.perf_counter() - t0
                    best = min(best, dt)
                    spent += dt
                    if spent > a.budget:
                        break
                f.write(f"{b},{best!r}\n")
                print(f"cvxopt n={n} batch={b}: {best:.4g}s", file=sys.stderr)


if __name__ == "__main__":
    main()
