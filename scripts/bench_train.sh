#!/usr/bin/env bash
# Training-step benchmarks of optnet against PyTorch, in one run.
#
#   scripts/bench_train.sh [rounds] [threads...]     (default: 3 rounds, threads 1 2)
#
# Each round runs, for each thread count, optnet's BenchmarkTrainStep{MLP,CNN,LinQP}
# (go test -bench, GOMAXPROCS = threads) and then the same MLP and CNN steps in
# Debian's PyTorch (scripts/bench_train_torch.py, torch.set_num_threads = threads,
# OpenBLAS with the same thread count). Alternating the two within a round
# exposes both to the same machine load. The summary gives, per model and thread
# count, the best and the median of the per-round means (ms per step) of wall
# time and of process CPU time, and the ratios optnet / PyTorch. On a loaded
# machine the CPU-time ratio at 1 thread is the steadiest comparison (at 2
# threads, OpenMP's spinning inflates PyTorch's CPU time).
#
# Debian's torch links libblas.so.3, which the alternatives system resolves (see
# `update-alternatives --display libblas.so.3-x86_64-linux-gnu`); LD_LIBRARY_PATH
# below makes that OpenBLAS (pthreads build) for the PyTorch process only.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
py=/usr/bin/python3
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ ! -e "$openblas/libblas.so.3" ]; then
	echo "missing $openblas/libblas.so.3: apt-get install -y libopenblas0-pthread" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0
go test -c -o "$tmp/train.test" ./train
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(go version)"
echo "torch $($py -c 'import torch; print(torch.__version__)'), BLAS: $(LD_LIBRARY_PATH=$openblas ldd "$($py -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so"))')" | grep -o 'libblas.so.3 => [^ ]*')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
	for t in "${threads[@]}"; do
		GOMAXPROCS=$t "$tmp/train.test" -test.run '^$' -test.bench 'TrainStep' -test.benchtime 30x -test.cpu "$t" |
			awk -v t="$t" '/^BenchmarkTrainStep/ {
				n = $1; sub(/^BenchmarkTrainStep/, "", n); sub(/-[0-9]+$/, "", n)
				cpu = 0; for (i = 4; i <= NF; i++) if ($i == "cpu-ms/op") cpu = $(i - 1)
				print "optnet", tolower(n), "threads=" t, $3 / 1e6, cpu }' >>"$tmp/results"
		OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t LD_LIBRARY_PATH=$openblas \
			$py scripts/bench_train_torch.py --threads "$t" --steps 30 >>"$tmp/results"
	done
	echo "round $r done, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
$py - "$tmp/results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    who, model, threads, wall, cpu = line.split()
    runs[(model, threads, who)].append((float(wall), float(cpu)))
def stats(v, i):
    x = [r[i] for r in v]
    return min(x), statistics.median(x)
print("| model | threads | optnet wall best / median | PyTorch wall best / median | ratio wall best / median | optnet CPU best / median | PyTorch CPU best / median | ratio CPU best / median |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for model in ("mlp", "cnn", "linqp"):
    for threads in sorted({k[1] for k in runs}):
        o, p = runs.get((model, threads, "optnet")), runs.get((model, threads, "torch"))
        if not o:
            continue
        row = [model, threads.split("=")[1]]
        for i in (0, 1):
            ob, om = stats(o, i)
            row.append("%.2f / %.2f ms" % (ob, om))
            if p:
                pb, pm = stats(p, i)
                row += ["%.2f / %.2f ms" % (pb, pm), "%.2f× / %.2f×" % (ob / pb, om / pm)]
            else:
                row += ["–", "–"]
        print("| " + " | ".join(row) + " |")
PY
