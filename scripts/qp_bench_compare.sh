#!/usr/bin/env bash
# Runs the Go QP forward benchmarks (all inputs batched) and cvxopt on the
# same shapes, and prints the time per batch of each and their ratio.
#
#   scripts/qp_bench_compare.sh            # from the repository root
#
# Needs Debian's python3-cvxopt (/usr/bin/python3). cvxopt runs one item at
# a time on one thread; the Go solver uses GOMAXPROCS goroutines.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
go_out=$(go test -run '^$' -bench 'BenchmarkSolve$/.*/batched' -benchtime 5x ./ops/qp/)
py_out=$(/usr/bin/python3 scripts/qp_bench_cvxopt.py)
printf '%-28s %12s %12s %8s\n' shape go_ms cvxopt_ms ratio
while IFS=$'\t' read -r name ms _; do
  ns=$(awk -v n="BenchmarkSolve/$name/batched" '$1 ~ "^"n"(-[0-9]+)?$" {print $3}' <<<"$go_out")
  [ -n "$ns" ] || continue
  awk -v name="$name" -v ns="$ns" -v ms="$ms" 'BEGIN { printf "%-28s %12.1f %12.1f %7.0fx\n", name, ns/1e6, ms, ms/(ns/1e6) }'
done <<<"$py_out"
