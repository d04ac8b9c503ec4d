// emu.h — compiles CUDA kernel source as host C++ for the fake driver
// (fakecuda.cc). Each CUDA thread of a block is a fiber; __syncthreads and
// the warp operations switch fibers. Only what optnet's kernels use is
// provided. This is a test tool: it checks the algorithm, the host code and
// the block-level synchronisation (a missing barrier shows up as results that
// depend on the fiber schedule), not the device's performance or its
// compiler.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#define QP_EMULATION 1

namespace emu {

struct uint3v {
  unsigned x, y, z;
};

struct Team;

// Thread is one emulated CUDA thread.
struct Thread {
  uint3v idx;
  Team* team;
};

// The fiber running now (one per worker OS thread).
extern thread_local Thread* cur;

struct Team {
  uint3v block_idx, block_dim, grid_dim;
  double* smem;
};

void syncthreads();
double warp_reduce(double v, int op);  // 0 sum, 1 max, 2 min

inline double as_double(long long bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __restrict__
#define threadIdx (emu::cur->idx)
#define blockIdx (emu::cur->team->block_idx)
#define blockDim (emu::cur->team->block_dim)
#define gridDim (emu::cur->team->grid_dim)
#define __syncthreads() emu::syncthreads()
#define QP_SHMEM (emu::cur->team->smem)
#define __longlong_as_double(x) emu::as_double(x)

using std::fabs;
using std::fmax;
using std::fmin;
using std::isfinite;
using std::isinf;
using std::sqrt;

inline double warp_sum(double v) { return emu::warp_reduce(v, 0); }
inline double warp_max(double v) { return emu::warp_reduce(v, 1); }
inline double warp_min(double v) { return emu::warp_reduce(v, 2); }
