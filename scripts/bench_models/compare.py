#!/usr/bin/env python3
"""Summarise a bench_models.sh run: per-model medians for optnet and
onnxruntime, the ratio optnet/ORT, and how far the outputs agree.

Usage: compare.py MODELDIR OUTDIR name...
OUTDIR holds round*/ folders, each with <name>.{ort,optnet}.{json,bin}.
Times are pooled over all rounds; the median is over every timed run.
"""
import glob
import json
import os
import statistics
import sys

import numpy as np


def load(outdir, name, rt, sub=""):
    times, cpu, meta = [], [], None
    for d in sorted(glob.glob(os.path.join(outdir, "round*"))):
        p = os.path.join(d, sub, f"{name}.{rt}.json")
        if not os.path.exists(p):
            continue
        meta = json.load(open(p))
        times += meta["times_ms"]
        cpu += meta["cpu_ms"]
    out = None
    bins = sorted(glob.glob(os.path.join(outdir, "round*", sub, f"{name}.{rt}.bin")))
    if bins:
        out = np.fromfile(bins[-1], dtype="<f4")
    return times, cpu, meta, out


def main():
    modeldir, outdir, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    rows = []
    for name in names:
        ot, oc, ometa, oy = load(outdir, name, "optnet")
        rt, rc, rmeta, ry = load(outdir, name, "ort")
        ref = np.fromfile(os.path.join(modeldir, f"{name}.torch.bin"), dtype="<f4")
        diff = float(np.max(np.abs(oy - ry))) if oy is not None and ry is not None else float("nan")
        dref = float(np.max(np.abs(oy - ref))) if oy is not None else float("nan")
        scale = float(np.max(np.abs(ry))) if ry is not None else float("nan")
        bt, bc, _, by = load(outdir, name, "optnet", "base")
        base = (statistics.median(bt), min(bt), statistics.median(bc)) if bt else None
        if by is not None and ry is not None:
            bdiff = float(np.max(np.abs(by - ry)))
            if not bdiff <= 1e-3 * max(1.0, scale):
                print(f"baseline output of {name} disagrees with ORT: {bdiff:.2e}")
        rows.append((name, statistics.median(ot), min(ot), statistics.median(oc),
                     statistics.median(rt), min(rt), statistics.median(rc), diff, dref, scale, len(ot), len(rt), base))
    print(f"runtimes: optnet ({ometa['threads']} threads, GOMAXPROCS) vs {rmeta['runtime']} "
          f"(intraOp {rmeta['threads']}, interOp 1); {rows[0][10]} / {rows[0][11]} timed runs per model")
    print()
    print("| model | optnet median ms | optnet min ms | optnet CPU ms | ORT median ms | ORT min ms | ORT CPU ms "
          "| optnet/ORT (median) | optnet/ORT (min) | max abs diff vs ORT | vs PyTorch | max abs output |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:.2f} "
              f"| {r[1] / r[4]:.2f} | {r[2] / r[5]:.2f} | {r[7]:.2e} | {r[8]:.2e} | {r[9]:.3g} |")
    if any(r[12] for r in rows):
        print()
        print("Baseline optnet (BASE_REV), same rounds:")
        print()
        print("| model | before median ms | before min ms | before CPU ms | before/ORT (median) | before/ORT (min) "
              "| speed-up median | speed-up CPU |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            if r[12]:
                b = r[12]
                print(f"| {r[0]} | {b[0]:.2f} | {b[1]:.2f} | {b[2]:.2f} | {b[0] / r[4]:.2f} | {b[1] / r[5]:.2f} "
                      f"| {b[0] / r[1]:.2f} | {b[2] / r[3]:.2f} |")
    bad = [r[0] for r in rows if not (r[7] <= 1e-3 * max(1.0, r[9]))]
    if bad:
        print(f"\nOUTPUTS DISAGREE: {', '.join(bad)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
