#!/usr/bin/env bash
# Whole-model inference benchmark: optnet against onnxruntime-node on
# torchvision CNNs (random weights, batch 1, 1×3×224×224 float32).
#
#   scripts/bench_models.sh [model ...]      (default: squeezenet1_1 mobilenet_v2 resnet18 resnet18_bn)
#
# Environment: WARMUP (untimed runs per model, 10), RUNS (timed runs per model
# and round, 30), ROUNDS (3), THREADS (2), BENCH_DIR (.bench, git-ignored),
# BASE_REV (optional: a git revision of optnet to time as well, in the same
# rounds — its tree is exported with git archive into $BENCH_DIR/base-src
# and built with the current cmd/bench-models).
#
# Steps: (a) export the models with /usr/bin/python3 + torchvision into
# $BENCH_DIR/models (once); (b) install onnxruntime-node@1.30.0 with
# --ignore-scripts into $BENCH_DIR/ort (once; the npm package bundles its CPU
# binaries under bin/napi-v6/<os>/<arch>, the postinstall script only fetches
# the optional CUDA provider); (c) time both runtimes on the same models and
# inputs, alternating which one goes first in each round, ORT with
# intraOpNumThreads=$THREADS and interOpNumThreads=1, optnet with
# GOMAXPROCS=$THREADS; (d) check that the outputs agree and print the table.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-.bench}
WARMUP=${WARMUP:-10}
RUNS=${RUNS:-30}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
ORT_VERSION=1.30.0
PY=${PY:-/usr/bin/python3}
MODELS=("$@")
if [ ${#MODELS[@]} -eq 0 ]; then
	MODELS=(squeezenet1_1 mobilenet_v2 resnet18 resnet18_bn)
fi

# (a) models
missing=()
for m in "${MODELS[@]}"; do
	[ -f "$BENCH_DIR/models/$m.onnx" ] || missing+=("$m")
done
if [ ${#missing[@]} -gt 0 ]; then
	if ! "$PY" -c 'import torchvision' 2>/dev/null; then
		echo "torchvision is missing: apt-get install -y python3-torchvision" >&2
		exit 1
	fi
	"$PY" scripts/bench_models/export.py "$BENCH_DIR/models" "${missing[@]}" 2> >(grep -v -i warn >&2)
fi

# (b) onnxruntime-node
ORT_DIR="$BENCH_DIR/ort"
if [ ! -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ] ||
	! grep -q "\"version\": \"$ORT_VERSION\"" "$ORT_DIR/node_modules/onnxruntime-node/package.json"; then
	mkdir -p "$ORT_DIR"
	npm install --prefix "$ORT_DIR" --ignore-scripts --no-audit --no-fund "onnxruntime-node@$ORT_VERSION" >&2
fi
export NODE_PATH="$PWD/$ORT_DIR/node_modules"

# (c) timings
go build -o "$BENCH_DIR/bench-models" ./cmd/bench-models
if [ -n "${BASE_REV:-}" ]; then
	rm -rf "$BENCH_DIR/base-src"
	mkdir -p "$BENCH_DIR/base-src"
	git archive "$BASE_REV" | tar -x -C "$BENCH_DIR/base-src"
	rm -rf "$BENCH_DIR/base-src/cmd/bench-models"
	mkdir -p "$BENCH_DIR/base-src/cmd"
	cp -r cmd/bench-models "$BENCH_DIR/base-src/cmd/"
	# The per-step profile needs RunOptions.StepDone, which older trees lack.
	cat >"$BENCH_DIR/base-src/cmd/bench-models/steps.go" <<-'EOF'
		package main

		import (
			"time"

			"github.com/optnet-go/optnet/runtime"
		)

		func stepOptions(func(string, string, time.Duration)) runtime.RunOptions { return runtime.RunOptions{} }
	EOF
	abs=$(cd "$BENCH_DIR" && pwd)
	(cd "$BENCH_DIR/base-src" && go build -o "$abs/bench-models-base" ./cmd/bench-models)
	echo "baseline: optnet at $(git rev-parse --short "$BASE_REV")"
fi
OUT="$BENCH_DIR/out"
rm -rf "$OUT"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs; $(go version | cut -d' ' -f3); node $(node --version)"
echo "load before: $(uptime | sed 's/.*load average: //')"
for r in $(seq 1 "$ROUNDS"); do
	d="$OUT/round$r"
	mkdir -p "$d"
	ort() { node scripts/bench_models/ort_bench.js "$BENCH_DIR/models" "$d" "$WARMUP" "$RUNS" "$THREADS" "${MODELS[@]}"; }
	opt() { GOMAXPROCS=$THREADS "$BENCH_DIR/bench-models" -models "$BENCH_DIR/models" -out "$d" -warmup "$WARMUP" -runs "$RUNS" "${MODELS[@]}" >/dev/null; }
	base() {
		if [ -n "${BASE_REV:-}" ]; then
			GOMAXPROCS=$THREADS "$BENCH_DIR/bench-models-base" -models "$BENCH_DIR/models" -out "$d/base" -warmup "$WARMUP" -runs "$RUNS" "${MODELS[@]}" >/dev/null
		fi
	}
	if [ $((r % 2)) -eq 1 ]; then ort; opt; base; else base; opt; ort; fi
	echo "round $r done, load: $(uptime | sed 's/.*load average: //')"
done

# (d) agreement and table
"$PY" scripts/bench_models/compare.py "$BENCH_DIR/models" "$OUT" "${MODELS[@]}"
