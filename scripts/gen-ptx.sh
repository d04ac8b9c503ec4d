#!/usr/bin/env bash
# Rebuilds gpu/kernels/qp.ptx from gpu/kernels/qp.cu (run by
# `go generate ./gpu/kernels`). Needs nvcc: $NVCC, else .tools/cuda/bin/nvcc,
# which this script builds with ../shared/tools/cuda-min.sh (CUDA 11.8 from
# Debian packages; no GPU needed), else nvcc on PATH.
#
# The PTX targets compute_80 (.version 7.8): the driver JIT-compiles it for
# the GPU it runs on (Ampere, Hopper, and newer).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nvcc=${NVCC:-}
if [ -z "$nvcc" ]; then
  if [ -x "$root/.tools/cuda/bin/nvcc" ]; then
    nvcc=$root/.tools/cuda/bin/nvcc
  elif [ -x "$root/../shared/tools/cuda-min.sh" ]; then
    "$root/../shared/tools/cuda-min.sh" "$root/.tools/cuda" >&2
    nvcc=$root/.tools/cuda/bin/nvcc
  elif command -v nvcc >/dev/null; then
    nvcc=$(command -v nvcc)
  else
    echo "gen-ptx: no nvcc (set NVCC or run ../shared/tools/cuda-min.sh .tools/cuda)" >&2
    exit 1
  fi
fi
ccbin=()
if command -v g++-12 >/dev/null; then ccbin=(-ccbin g++-12); fi
src=$root/gpu/kernels/qp.cu
out=$root/gpu/kernels/qp.ptx
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# -lineinfo keeps source lines for profilers; no -G (debug) code.
"$nvcc" "${ccbin[@]}" -allow-unsupported-compiler -arch=compute_80 -ptx -lineinfo \
  "$src" -o "$tmp"
# Drop the absolute source paths nvcc records, so the file does not depend
# on where the repository is checked out.
# The first line records the hash of the sources, so that a test can tell
# when the committed PTX is older than the .cu files.
sum=$(cat "$root/gpu/kernels/qp.cu" "$root/gpu/kernels/qp_la.cuh" | sha256sum | cut -c1-64)
{ echo "// optnet-source-sha256: $sum"; sed -e "s|$root/||g" "$tmp"; } > "$out"
echo "gen-ptx: wrote $out ($(grep -c '^.visible .entry' "$out") kernels) with $("$nvcc" --version | tail -1)" >&2
