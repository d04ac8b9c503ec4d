#!/usr/bin/env bash
# Builds the fake CUDA driver (gpu/emu/fakecuda.cc: the driver API on host
# memory, running gpu/kernels/qp.cu as host code) into a shared library, for
# testing the GPU code on machines without a GPU:
#
#   scripts/build-fakecuda.sh .tools/fakecuda/libcuda.so.1
#   OPTNET_LIBCUDA=$PWD/.tools/fakecuda/libcuda.so.1 go test ./gpu/...
#
# The Go tests in gpu/cudaqp build it themselves when g++ is installed.
set -euo pipefail
out=${1:?usage: build-fakecuda.sh OUT.so}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$(dirname "$out")"
${CXX:-g++} -std=c++20 -O2 -g -shared -fPIC -fno-strict-aliasing -Wall -Wno-unused-function \
  -o "$out" "$root/gpu/emu/fakecuda.cc" -pthread
