#!/usr/bin/env bash
# GPU verification of optnet's CUDA QP solver, in two halves:
#
#   scripts/gpu-check.sh build [DIR]    on a machine with Go (no GPU needed): cross-compiles
#                                       the GPU test binaries and qpbench (CGO_ENABLED=0,
#                                       linux/amd64) into DIR (default .device/gpu-check) with
#                                       everything they read: the shared qp-cases, the QP
#                                       suite's testdata, the PTX, qpth's source, the scripts
#   scripts/gpu-check.sh run [DIR]      on the CUDA machine (driver, PyTorch 2.x, nvcc/ptxas;
#                                       no Go): run-tests, then run-bench
#   scripts/gpu-check.sh run-tests [DIR]
#   scripts/gpu-check.sh run-bench [DIR]
#   scripts/gpu-check.sh all            build and run on one machine that has Go and a GPU
#
# Results go to $RESULTS (default DIR/results): one log per test binary, qpbench.jsonl,
# qpth.jsonl, report.md (the comparison table and the targets) and summary.txt.
#
# A test binary that finds no GPU skips its device tests with a log line; run-tests
# treats that as a failure (this is the GPU check), unless ALLOW_NO_GPU=1 (a dry run
# against the fake driver: OPTNET_LIBCUDA=.../libcuda.so built by build-fakecuda.sh).
#
# Environment: QPTH_SRC (qpth source tree; default .tools/qpth, fetched from
# github.com/locuslab/qpth), REPS (benchmark repetitions, default 5), SHAPES (qpbench
# -shapes, default all), BATCH (qpbench -batch override, for smoke runs), PYTHON.
set -euo pipefail

cmd=${1:-}
here=$(cd "$(dirname "$0")" && pwd)

build() {
  local root dir
  root=$(cd "$here/.." && pwd)
  dir=${1:-$root/.device/gpu-check}
  mkdir -p "$dir/bin"
  dir=$(cd "$dir" && pwd)
  cd "$root"
  export CGO_ENABLED=0 GOOS=linux GOARCH=amd64
  # -trimpath: paths recorded in the binaries (runtime.Caller, used by the QP suite to
  # find its testdata) become module-relative, which run() recreates under DIR.
  local flags=(-trimpath -ldflags=-s\ -w)
  for pkg in ./gpu ./gpu/cuda ./gpu/kernels ./gpu/cudaqp ./ops/qp; do
    local name
    name=$(echo "${pkg#./}" | tr / _)
    echo "gpu-check: go test -c $pkg" >&2
    go test -c "${flags[@]}" -o "$dir/bin/$name.test" "$pkg"
  done
  echo "gpu-check: go build ./gpu/qpbench" >&2
  go build "${flags[@]}" -o "$dir/bin/qpbench" ./gpu/qpbench
  rm -rf "$dir/shared" "$dir/github.com" "$dir/qpth"
  mkdir -p "$dir/shared" "$dir/github.com/optnet-go/optnet/ops/qp/qptest"
  if [ -d "$root/../shared/qp-cases" ]; then
    cp -r "$root/../shared/qp-cases" "$dir/shared/qp-cases"
  else
    echo "gpu-check: warning: ../shared/qp-cases not found; the reference-case tests will skip" >&2
  fi
  cp -r "$root/ops/qp/qptest/testdata" "$dir/github.com/optnet-go/optnet/ops/qp/qptest/testdata"
  cp "$root/gpu/kernels/qp.ptx" "$dir/"
  cp "$here/gpu-check.sh" "$here/bench_qpth.py" "$here/bench_report.py" "$dir/"
  local qpth=${QPTH_SRC:-$root/.tools/qpth}
  if [ -d "$qpth/qpth" ]; then
    mkdir -p "$dir/qpth"
    cp -r "$qpth/qpth" "$qpth/LICENSE" "$dir/qpth/"
    [ -f "$qpth/COMMIT" ] && cp "$qpth/COMMIT" "$dir/qpth/"
  else
    echo "gpu-check: warning: no qpth source at $qpth (set QPTH_SRC); the benchmark will skip qpth" >&2
  fi
  {
    echo "commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "built: $(date -u +%FT%TZ)"
    echo "go: $(go version)"
  } > "$dir/MANIFEST"
  du -sh "$dir" >&2
  echo "$dir"
}

# bundle_dir resolves DIR for the run commands: the argument, the folder this script
# sits in when it is the bundle's copy, or .device/gpu-check.
bundle_dir() {
  if [ -n "${1:-}" ]; then (cd "$1" && pwd); return; fi
  if [ -d "$here/bin" ] && [ -f "$here/MANIFEST" ]; then echo "$here"; return; fi
  (cd "$here/../.device/gpu-check" && pwd)
}

run_tests() {
  local dir res status=0
  dir=$(bundle_dir "${1:-}")
  res=${RESULTS:-$dir/results}
  mkdir -p "$res"
  cd "$dir"
  export OPTNET_SHARED=$dir/shared
  # Never fall back to the host emulation here: this is the real-GPU check.
  export OPTNET_FAKECUDA=off
  {
    echo "== $(cat MANIFEST | tr '\n' ' ')"
    echo "== $(uname -a)"
    if command -v nvidia-smi >/dev/null; then
      nvidia-smi -L 2>&1 || true
      nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true
    else
      echo "nvidia-smi: not available"
    fi
  } | tee "$res/summary.txt"
  local ptxas_bin
  ptxas_bin=$(command -v ptxas || ls /usr/local/cuda/bin/ptxas 2>/dev/null || true)
  if [ -n "$ptxas_bin" ]; then
    echo "== ptxas -arch=sm_90 -v qp.ptx" | tee -a "$res/summary.txt"
    if "$ptxas_bin" -arch=sm_90 -v qp.ptx -o "$res/qp.sm_90.cubin" > "$res/ptxas.log" 2>&1; then
      grep -E "entry function|registers|spill" "$res/ptxas.log" | tee -a "$res/summary.txt"
    else
      echo "FAIL ptxas" | tee -a "$res/summary.txt"; status=1
    fi
  fi
  for t in bin/*.test; do
    local name log
    name=$(basename "$t" .test)
    log=$res/$name.log
    echo "== $name" | tee -a "$res/summary.txt"
    # The tests read files relative to their package; the bundle lays them out from
    # its root (shared/, github.com/...), so run from there.
    if "$t" -test.v -test.count=1 -test.timeout=20m > "$log" 2>&1; then
      echo "PASS $name ($(grep -c '^--- PASS' "$log") top-level passed, $(grep -c -- '--- SKIP' "$log") skipped)" | tee -a "$res/summary.txt"
    else
      echo "FAIL $name (see $log)" | tee -a "$res/summary.txt"
      grep -E -- "--- FAIL|panic:" "$log" | head -20 | tee -a "$res/summary.txt"
      status=1
    fi
    grep -h -E "real CUDA driver|fake CUDA driver|no CUDA device|driver library from" "$log" | sort -u | head -3 | sed 's/^/    /' | tee -a "$res/summary.txt" || true
  done
  # The device tests must have run on a GPU, not skipped.
  if ! grep -q "real CUDA driver" "$res/gpu_cudaqp.log" 2>/dev/null; then
    if [ "${ALLOW_NO_GPU:-0}" = 1 ]; then
      echo "NOTE the CUDA solver tests did not run on a real GPU (ALLOW_NO_GPU=1)" | tee -a "$res/summary.txt"
    else
      echo "FAIL the CUDA solver tests did not run on a GPU (see gpu_cudaqp.log)" | tee -a "$res/summary.txt"
      status=1
    fi
  fi
  return $status
}

run_bench() {
  local dir res py
  dir=$(bundle_dir "${1:-}")
  res=${RESULTS:-$dir/results}
  mkdir -p "$res"
  cd "$dir"
  export OPTNET_SHARED=$dir/shared
  py=${PYTHON:-python3}
  rm -f "$res/qpbench.jsonl" "$res/qpth.jsonl"
  local cases
  cases=$(mktemp -d "${TMPDIR:-/tmp}/qpcases.XXXXXX")
  local extra=()
  [ -n "${BATCH:-}" ] && extra+=(-batch "$BATCH")
  echo "== qpbench (optnet CUDA and CPU)" | tee -a "$res/summary.txt"
  ./bin/qpbench -shapes "${SHAPES:-all}" -reps "${REPS:-5}" -dump "$cases" -json "$res/qpbench.jsonl" "${extra[@]}" > "$res/qpbench.log" 2>&1 ||
    { echo "FAIL qpbench (see qpbench.log)" | tee -a "$res/summary.txt"; }
  if [ -d qpth/qpth ]; then
    echo "== qpth $(cat qpth/COMMIT 2>/dev/null || true)" | tee -a "$res/summary.txt"
    "$py" bench_qpth.py --qpth qpth --cases "$cases" --reps "${REPS:-5}" --json "$res/qpth.jsonl" > "$res/qpth.log" 2>&1 ||
      { echo "FAIL bench_qpth.py (see qpth.log)" | tee -a "$res/summary.txt"; }
  fi
  rm -rf "$cases"
  "$py" bench_report.py "$res/qpbench.jsonl" $( [ -f "$res/qpth.jsonl" ] && echo "$res/qpth.jsonl") > "$res/report.md"
  cat "$res/report.md" | tee -a "$res/summary.txt"
}

case "$cmd" in
  build) build "${2:-}" ;;
  run-tests) run_tests "${2:-}" ;;
  run-bench) run_bench "${2:-}" ;;
  run)
    st=0
    run_tests "${2:-}" || st=$?
    run_bench "${2:-}"
    exit $st
    ;;
  all)
    dir=$(build "${2:-}" | tail -1)
    st=0
    run_tests "$dir" || st=$?
    run_bench "$dir"
    exit $st
    ;;
  *)
    sed -n '2,27p' "$0" >&2
    exit 2
    ;;
esac
