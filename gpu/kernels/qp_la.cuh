// Block-level dense linear algebra for the QP kernels: every function here is
// called by all threads of a thread block together (uniform control flow),
// works on row-major float64 matrices in shared or global memory, and ends
// with a barrier, so that its results are visible to the whole block when it
// returns. Matrices are addressed as a[i*ld + j].
//
// The block is 32·w threads (w ≤ 32 warps). Loops over a matrix's rows give
// each warp a row (row-parallel, lanes over the columns), loops over columns
// give each thread a column.

#pragma once

// Block-level routines are not inlined: they are loops around barriers, so a
// call costs nothing measurable, and inlining them at every call site would
// multiply the PTX (and the driver's JIT time) several times over.
#ifndef QP_EMULATION
#define QP_NOINLINE __noinline__
#else
#define QP_NOINLINE
#endif

// Blk holds the calling thread's place in the block.
struct Blk {
  int tid, nt, lane, warp, nw;
};

__device__ __forceinline__ Blk make_blk() {
  Blk b;
  b.tid = threadIdx.x;
  b.nt = blockDim.x;
  b.lane = b.tid & 31;
  b.warp = b.tid >> 5;
  b.nw = b.nt >> 5;
  return b;
}

// NaN-propagating max and min (like Go's math.Max/math.Min), so that a NaN
// is never silently dropped by a reduction.
__device__ __forceinline__ double nmax(double a, double b) {
  if (a > b || a != a) return a;
  return b;
}
__device__ __forceinline__ double nmin(double a, double b) {
  if (a < b || a != a) return a;
  return b;
}

#ifndef QP_EMULATION
#define QP_FULL_MASK 0xffffffffu
// Warp reductions by butterfly shuffles; lane 0's value is the one used.
__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(QP_FULL_MASK, v, o);
  return v;
}
__device__ __forceinline__ double warp_max(double v) {
  for (int o = 16; o > 0; o >>= 1) v = nmax(v, __shfl_xor_sync(QP_FULL_MASK, v, o));
  return v;
}
__device__ __forceinline__ double warp_min(double v) {
  for (int o = 16; o > 0; o >>= 1) v = nmin(v, __shfl_xor_sync(QP_FULL_MASK, v, o));
  return v;
}
#endif  // the emulator provides warp_sum, warp_max and warp_min

// Red is the scratch of the block reductions: two halves used alternately,
// so that a reduction needs one barrier (a thread can only write a half again
// after every thread has passed the barrier of the reduction in between,
// that is, after every thread has read it). Each half holds RED_MAXVALS
// values per warp.
struct Red {
  double* buf;  // 2 × RED_MAXVALS × (warps) doubles
  int parity;
};

enum { RED_MAXVALS = 12 };

enum RedOp { RED_SUM = 0, RED_MAX = 1, RED_MIN = 2 };

// block_reduce reduces cnt ≤ RED_MAXVALS values per thread (v[0..cnt)) over
// the block with op; every thread gets the same results in v (combined in
// the same order).
__device__ QP_NOINLINE void block_reduce(const Blk& B, Red& R, double* v, int cnt, RedOp op) {
  double* half = R.buf + R.parity * (RED_MAXVALS * B.nw);
  R.parity ^= 1;
  for (int c = 0; c < cnt; c++) {
    double x = op == RED_SUM ? warp_sum(v[c]) : op == RED_MAX ? warp_max(v[c]) : warp_min(v[c]);
    if (B.lane == 0) half[c * B.nw + B.warp] = x;
  }
  __syncthreads();
  for (int c = 0; c < cnt; c++) {
    double x = half[c * B.nw];
    for (int w = 1; w < B.nw; w++) {
      double y = half[c * B.nw + w];
      x = op == RED_SUM ? x + y : op == RED_MAX ? nmax(x, y) : nmin(x, y);
    }
    v[c] = x;
  }
}

__device__ __forceinline__ double block_sum(const Blk& B, Red& R, double x) {
  block_reduce(B, R, &x, 1, RED_SUM);
  return x;
}
__device__ __forceinline__ double block_max(const Blk& B, Red& R, double x) {
  block_reduce(B, R, &x, 1, RED_MAX);
  return x;
}
__device__ __forceinline__ double block_min(const Blk& B, Red& R, double x) {
  block_reduce(B, R, &x, 1, RED_MIN);
  return x;
}

// copy_vec sets y = x (n elements).
__device__ QP_NOINLINE void copy_vec(const Blk& B, int n, const double* x, double* y) {
  for (int i = B.tid; i < n; i += B.nt) y[i] = x[i];
  __syncthreads();
}

// potrf computes the Cholesky factor U (A = UᵀU) of the symmetric n×n matrix
// whose upper triangle a holds, in place. It returns false (in every thread)
// when a pivot is not a positive finite number; a is then garbage.
//
// Right-looking, one barrier per column: in step k every thread reads the
// pivot and row k, updates its share of the trailing triangle, and scales
// row k−1 (which nobody reads in step k) — the scaling of a row is deferred
// by one step so that row k stays intact while it is being read.
__device__ QP_NOINLINE bool potrf(const Blk& B, int n, double* a, int ld) {
  double rp_prev = 0, inv_prev = 0;
  for (int k = 0; k < n; k++) {
    const double p = a[(size_t)k * ld + k];
    if (!(p > 0) || isinf(p)) {
      __syncthreads();  // every thread has read p before a is touched again
      return false;
    }
    const double rp = sqrt(p), inv = 1.0 / rp;
    if (k > 0) {
      double* prev = a + (size_t)(k - 1) * ld;
      for (int j = k + B.tid; j < n; j += B.nt) prev[j] *= inv_prev;
      if (B.tid == 0) prev[k - 1] = rp_prev;
    }
    const double* rk = a + (size_t)k * ld;
    for (int i = k + 1 + B.warp; i < n; i += B.nw) {
      const double ui = rk[i] * inv;
      double* ri = a + (size_t)i * ld;
      for (int j = i + B.lane; j < n; j += 32) ri[j] -= ui * (rk[j] * inv);
    }
    rp_prev = rp;
    inv_prev = inv;
    __syncthreads();
  }
  if (n > 0 && B.tid == 0) a[(size_t)(n - 1) * ld + n - 1] = rp_prev;
  __syncthreads();
  return true;
}

// potrf_tol is potrf that also fails when a squared pivot of U is at most
// rel times the largest diagonal element of A (a singular matrix can factor
// with tiny positive pivots in floating point).
__device__ QP_NOINLINE bool potrf_tol(const Blk& B, int n, double* a, int ld, double rel) {
  double dmax = 0;
  for (int i = 0; i < n; i++) dmax = fmax(dmax, a[(size_t)i * ld + i]);
  __syncthreads();
  if (!potrf(B, n, a, ld)) return false;
  bool ok = true;
  for (int i = 0; i < n; i++) {
    const double d = a[(size_t)i * ld + i];
    if (d * d <= rel * dmax) ok = false;
  }
  __syncthreads();
  return ok;
}

// trsv_ut solves Uᵀx = b in place (x holds b) for the n×n upper triangular
// U. Step k computes x_k and eliminates it from the rows below; x_k itself is
// stored one step later, when nobody reads x[k] any more.
__device__ QP_NOINLINE void trsv_ut(const Blk& B, int n, const double* u, int ld, double* x) {
  double prev = 0;
  for (int k = 0; k < n; k++) {
    const double xk = x[k] / u[(size_t)k * ld + k];
    if (B.tid == 0 && k > 0) x[k - 1] = prev;
    const double* uk = u + (size_t)k * ld;
    for (int i = k + 1 + B.tid; i < n; i += B.nt) x[i] -= uk[i] * xk;
    prev = xk;
    __syncthreads();
  }
  if (n > 0) {
    if (B.tid == 0) x[n - 1] = prev;
    __syncthreads();
  }
}

// trsv_u solves Ux = b in place for the n×n upper triangular U (backward
// substitution, column by column).
__device__ QP_NOINLINE void trsv_u(const Blk& B, int n, const double* u, int ld, double* x) {
  double prev = 0;
  for (int k = n - 1; k >= 0; k--) {
    const double xk = x[k] / u[(size_t)k * ld + k];
    if (B.tid == 0 && k < n - 1) x[k + 1] = prev;
    for (int i = B.tid; i < k; i += B.nt) x[i] -= u[(size_t)i * ld + k] * xk;
    prev = xk;
    __syncthreads();
  }
  if (n > 0) {
    if (B.tid == 0) x[0] = prev;
    __syncthreads();
  }
}

// chol_solve solves UᵀUx = b in place.
__device__ __forceinline__ void chol_solve(const Blk& B, int n, const double* u, int ld, double* x) {
  trsv_ut(B, n, u, ld, x);
  trsv_u(B, n, u, ld, x);
}

// trsm_ut solves UᵀX = B in place for the n×n upper triangular U and the
// n×r matrix B (ldb). Row k of the solution is scaled one step late, as in
// trsv_ut.
__device__ QP_NOINLINE void trsm_ut(const Blk& B, int n, int r, const double* u, int ldu, double* b, int ldb) {
  for (int k = 0; k < n; k++) {
    const double inv = 1.0 / u[(size_t)k * ldu + k];
    if (k > 0) {
      const double ip = 1.0 / u[(size_t)(k - 1) * ldu + k - 1];
      double* bp = b + (size_t)(k - 1) * ldb;
      for (int c = B.tid; c < r; c += B.nt) bp[c] *= ip;
    }
    const double* bk = b + (size_t)k * ldb;
    const double* uk = u + (size_t)k * ldu;
    for (int i = k + 1 + B.warp; i < n; i += B.nw) {
      const double uki = uk[i];
      double* bi = b + (size_t)i * ldb;
      for (int c = B.lane; c < r; c += 32) bi[c] -= uki * (bk[c] * inv);
    }
    __syncthreads();
  }
  if (n > 0) {
    const double ip = 1.0 / u[(size_t)(n - 1) * ldu + n - 1];
    double* bp = b + (size_t)(n - 1) * ldb;
    for (int c = B.tid; c < r; c += B.nt) bp[c] *= ip;
    __syncthreads();
  }
}

// gemv_n sets y[i] = (accumulate ? y[i] : 0) + alpha·Σ_j A[i][j]·x[j] for
// the rows×cols matrix A (a warp per row).
__device__ QP_NOINLINE void gemv_n(const Blk& B, int rows, int cols, double alpha, const double* a, int lda, const double* x,
                       bool accumulate, double* y) {
  for (int i = B.warp; i < rows; i += B.nw) {
    const double* ai = a + (size_t)i * lda;
    double s = 0;
    for (int j = B.lane; j < cols; j += 32) s += ai[j] * x[j];
    s = warp_sum(s);
    if (B.lane == 0) y[i] = (accumulate ? y[i] : 0.0) + alpha * s;
  }
  __syncthreads();
}

// gemv_t sets y[j] = (accumulate ? y[j] : 0) + alpha·Σ_i A[i][j]·x[i] for
// the rows×cols matrix A (a thread per column).
__device__ QP_NOINLINE void gemv_t(const Blk& B, int rows, int cols, double alpha, const double* a, int lda, const double* x,
                       bool accumulate, double* y) {
  for (int j = B.tid; j < cols; j += B.nt) {
    double s = 0;
    for (int i = 0; i < rows; i++) s += a[(size_t)i * lda + j] * x[i];
    y[j] = (accumulate ? y[j] : 0.0) + alpha * s;
  }
  __syncthreads();
}

// gemm_tn sets C = (accumulate ? C : 0) + alpha·AᵀB for the kk×mm matrix A,
// the kk×nn matrix B and the mm×nn matrix C. With upper set only the upper
// triangle of C (j ≥ i) is computed (a syrk when A = B).
__device__ QP_NOINLINE void gemm_tn(const Blk& B, int mm, int nn, int kk, double alpha, const double* a, int lda, const double* b,
                        int ldb, bool accumulate, bool upper, double* c, int ldc) {
  for (int i = B.warp; i < mm; i += B.nw) {
    double* ci = c + (size_t)i * ldc;
    for (int j = (upper ? i : 0) + B.lane; j < nn; j += 32) {
      double s = 0;
      for (int r = 0; r < kk; r++) s += a[(size_t)r * lda + i] * b[(size_t)r * ldb + j];
      ci[j] = (accumulate ? ci[j] : 0.0) + alpha * s;
    }
  }
  __syncthreads();
}
