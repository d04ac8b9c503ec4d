#!/usr/bin/env python3
"""Merges qpbench's and bench_qpth.py's JSON lines into a Markdown table
and checks the performance targets of docs/performance.md:

    B128 n=m=100 forward ≤ 3 ms, B8192 ≤ 30 ms (CUDA),
    ≥ 20× qpth at B128, ≥ 10× optnet's CPU solver at B ≥ 1024.

    bench_report.py qpbench.jsonl [qpth.jsonl ...] > report.md

Pure Python (no numpy), so that it runs anywhere."""
import json
import sys


def main():
    rows = {}
    notes = {}
    devices = set()
    for path in sys.argv[1:]:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                key = (r["case"], r["mode"])
                rows.setdefault(key, {"meta": r})[r["solver"]] = r
                if r.get("device"):
                    devices.add("%s: %s" % (r["solver"], r["device"]))
    print("Devices: " + "; ".join(sorted(devices)))
    print()
    print("| case | B | n | m | k | mode | CUDA ms | CPU ms | qpth ms | CUDA vs CPU | CUDA vs qpth | CUDA kernel ms | max z diff (CUDA–CPU, qpth–optnet) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    checks = []

    def ms(r):
        return r.get("median_ms") if r else None

    def fmt(x, spec="%.3g"):
        return "—" if x is None else spec % x

    for (case, mode), d in sorted(rows.items(), key=lambda kv: (kv[1]["meta"]["shape"], kv[1]["meta"]["layout"], kv[0][1])):
        m = d["meta"]
        cu, cpu, qp = d.get("cuda"), d.get("cpu"), d.get("qpth")
        tc, tp, tq = ms(cu), ms(cpu), ms(qp)
        s_cpu = tp / tc if tc and tp else None
        s_qp = tq / tc if tc and tq else None
        zd = "%s, %s" % (fmt(cu.get("max_abs_z_vs_cpu") if cu else None, "%.1e"),
                         fmt(qp.get("max_abs_z_vs_optnet") if qp else None, "%.1e"))
        qcell = fmt(tq) if tq is not None else (qp.get("note", "—") if qp else "—")
        print("| %s | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            case, m["B"], m["n"], m["m"], m["k"], mode, fmt(tc), fmt(tp), qcell,
            fmt(s_cpu, "%.1f×"), fmt(s_qp, "%.1f×"), fmt(cu.get("kernel_ms") if cu else None), zd))
        if m["shape"].startswith("rand") and mode == "forward" and tc is not None:
            if m["B"] == 128:
                checks.append(("%s: CUDA forward %.2f ms ≤ 3 ms" % (case, tc), tc <= 3))
                if s_qp is not None:
                    checks.append(("%s: %.1f× qpth ≥ 20×" % (case, s_qp), s_qp >= 20))
            if m["B"] == 8192:
                checks.append(("%s: CUDA forward %.2f ms ≤ 30 ms" % (case, tc), tc <= 30))
            if m["B"] >= 1024 and s_cpu is not None:
                checks.append(("%s: %.1f× the CPU solver ≥ 10×" % (case, s_cpu), s_cpu >= 10))
    print()
    print("Targets (forward, n = m = 100):")
    print()
    for text, ok in checks:
        print("- %s %s" % ("PASS" if ok else "MISS", text))
    if not checks:
        print("- (no CUDA timings of the rand shapes: nothing to check)")


if __name__ == "__main__":
    main()
