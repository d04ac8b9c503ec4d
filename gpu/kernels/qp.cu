// Batched float64 primal-dual interior-point QP solver and its KKT backward
// pass, for the com.optnet.QP layer (docs/qp-op.md, docs/gpu.md).
//
//   minimise ½zᵀQz + pᵀz  subject to  Gz ≤ h,  Az = b
//
// One thread block solves one batch item, running the whole interior-point
// loop on the device. The algorithm, stopping rule and acceptance check are
// those of the CPU solver in ops/qp (ipm.go, kkt.go, setup.go, backward.go):
// the same reductions of the Newton system (dual / constraint space when Q
// is positive definite, primal / normal equations otherwise or when cheaper),
// the same start, Mehrotra predictor-corrector step, best-iterate tracking,
// acceptance and infeasibility tests, and the same status codes.
//
// Kernels (all take one QPParams by value):
//   qp_qbase     1 block    Q's part of the setup when Q is shared
//   qp_setup     1 block per setup (one, or one per item)
//   qp_ipm       1 block per item: the interior-point method
//   qp_backward  1 block per item: the adjoint KKT solve
//   qp_grads     elementwise: the six gradients (sums over the batch for
//                shared inputs, in item order: deterministic)
//
// Per-item vectors and the per-iteration factor live in an "arena" whose
// buffers the host places in dynamic shared memory when they fit, else in a
// per-item slice of global memory (QPParams.off: ≥ 0 shared offset, < 0
// global offset −off−1, in doubles). The algorithm is the same either way.
//
// Build: scripts/gen-ptx.sh (go generate ./gpu/kernels) → qp.ptx.

#include "qp_la.cuh"

#ifndef QP_EMULATION
extern __shared__ double qp_smem[];
#define QP_SHMEM qp_smem
#endif

// The kernels, for the emulator's table and the tests that check the PTX.
#define QP_KERNELS(X) X(qp_qbase) X(qp_setup) X(qp_ipm) X(qp_backward) X(qp_grads)

// Bits of QPParams.shared (qp.Input in Go).
enum { IN_Q = 1, IN_P = 2, IN_G = 4, IN_H = 8, IN_A = 16, IN_B = 32 };

// Item status codes (QPParams.status); the Go side turns them into the CPU
// solver's errors.
enum {
  ST_OK = 0,
  ST_NONFINITE = 1,       // set by the host before solving
  ST_Q_NOT_PSD = 2,       // ErrNotConvex: Q is not positive semidefinite
  ST_START_H = 3,         // ErrNotConvex: Q + GᵀG + ρAᵀA singular at the start
  ST_RANK_SETUP = 4,      // ErrRankDeficient: A Q⁻¹ Aᵀ not positive definite
  ST_START_P = 5,         // ErrRankDeficient: A H⁻¹ Aᵀ not positive definite at the start
  ST_START_K = 6,         // ErrNotConverged: dual system not positive definite at the start
  ST_INFEASIBLE = 7,      // ErrInfeasible
  ST_NOT_CONVERGED = 8,   // ErrNotConverged (info[1] holds the stop reason)
  ST_PENDING = 9          // internal: not solved (never reported)
};

// Factorisation outcomes (also the stop reasons in info[1]).
enum { FAC_OK = 0, FAC_H = 1, FAC_P = 2, FAC_K = 3 };

// Arena buffers, in placement order (hot and small first).
enum Buf {
  B_RED, B_Z, B_S, B_LAM, B_NU, B_RX, B_RZ, B_RY, B_RZP, B_DG, B_DZA, B_DSA, B_DLA, B_DNUA, B_DZ, B_DS,
  B_DL, B_DNU, B_GDZ, B_RHAT, B_F0, B_TN1, B_TM1, B_TK1, B_TC, B_BZ, B_BS, B_BLAM, B_BNU, B_FLAM, B_FNU,
  B_ACT, B_KF, B_Y, B_PF, NBUF
};

// Setup layout: offsets (in doubles) inside one setup's slice.
// QPParams is passed by value to every kernel. Every field is 8 bytes, so the
// Go mirror (gpu/cudaqp/params.go) has the same layout without padding rules.
struct QPParams {
  long long batch, n, m, k;
  long long shared;      // bit set of IN_*
  long long nsetup;      // 1 (Q, G and A shared) or batch
  long long use_qbase;   // 1: Q's setup part is in qbase (Q shared)
  long long force_path;  // 0 choose by cost, 1 dual, 2 primal
  long long maxiter, not_improved_limit;
  double eps, accept_tol;
  const double *Q, *p, *G, *h, *A, *b;
  double* setup;            // nsetup × setup_stride doubles
  long long setup_stride;
  long long so_qs, so_u, so_w, so_v, so_t, so_m0, so_scal;  // so_u also holds Q̃ (primal)
  long long* setup_status;  // per setup: 1 dual, 2 primal, −code on failure, 0 not built
  double* qbase;            // qs (n²), U (n²), status (1)
  long long* status;        // per item, in: 0 or ST_NONFINITE; out: ST_*
  long long* iters;         // per item
  double* info;             // per item: best score, stop reason
  double *z, *s, *lam, *nu; // B×n, B×m, B×m, B×k: the returned iterate
  const double* dl;         // backward: ∂ℓ/∂z, B×n
  double *bdz, *bw, *bdnu;  // backward: d_z, w = Λd_λ, d_ν (B×n, B×m, B×k)
  double *gQ, *gP, *gG, *gH, *gA, *gB;  // gradients
  double* work;             // per-item global arena slices
  long long work_stride;
  long long ld_kf, ld_y, ld_pf;
  long long off[NBUF];
};

#define QP_INF __longlong_as_double(0x7ff0000000000000LL)

// Limits shared with the CPU solver (ops/qp).
#define PD_PIVOT 1e-10     // pdPivot: Q counts as positive definite
#define RANK_PIVOT 1e-13   // rankPivot: equality Schur complements
#define ACTIVE_RATIO 100.0 // activeRatio: backward's active threshold

__device__ __forceinline__ const double* item_ptr(const double* x, long long shared, int bit, long long size, long long i) {
  return (shared & bit) ? x : x + i * size;
}

// Ctx is one block's view of its item: dimensions, data, setup and arena.
struct Ctx {
  Blk B;
  Red R;
  int n, m, k;
  bool dual;
  const double *p, *g, *h, *a, *b;
  const double *qs, *u, *w, *v, *t, *m0, *qt;
  double rho, rhoG;
  double *z, *s, *lam, *nu, *rx, *rz, *ry, *rzp, *dg, *dza, *dsa, *dla, *dnua, *dz, *ds, *dl, *dnu, *gdz;
  double *rhat, *f0, *tn1, *tm1, *tk1, *tc, *bz, *bs, *blam, *bnu, *flam, *fnu, *act, *kf, *y, *pf;
  int ldkf, ldy, ldpf;
  // primal factor state
  double tau;
  int nact, nc;
};

__device__ void ctx_init(Ctx& C, const QPParams& P, long long item) {
  C.B = make_blk();
  C.n = (int)P.n;
  C.m = (int)P.m;
  C.k = (int)P.k;
  const long long n = P.n, m = P.m, k = P.k;
  C.p = item_ptr(P.p, P.shared, IN_P, n, item);
  C.g = item_ptr(P.G, P.shared, IN_G, m * n, item);
  C.h = item_ptr(P.h, P.shared, IN_H, m, item);
  C.a = item_ptr(P.A, P.shared, IN_A, k * n, item);
  C.b = item_ptr(P.b, P.shared, IN_B, k, item);
  const long long sidx = P.nsetup == 1 ? 0 : item;
  const double* S = P.setup + sidx * P.setup_stride;
  C.dual = P.setup_status[sidx] == 1;
  if (P.use_qbase) {
    C.qs = P.qbase;
    C.u = P.qbase + n * n;
  } else {
    C.qs = S + P.so_qs;
    C.u = S + P.so_u;
  }
  C.qt = S + P.so_u;  // primal: Q̃ replaces U in the setup
  C.w = S + P.so_w;
  C.v = S + P.so_v;
  C.t = S + P.so_t;
  C.m0 = S + P.so_m0;
  C.rho = S[P.so_scal];
  C.rhoG = S[P.so_scal + 1];
  double* sh = QP_SHMEM;
  double* gw = P.work + item * P.work_stride;
  double* bufs[NBUF];
  for (int i = 0; i < NBUF; i++) {
    const long long o = P.off[i];
    bufs[i] = o >= 0 ? sh + o : gw + (-o - 1);
  }
  C.R.buf = bufs[B_RED];
  C.R.parity = 0;
  C.z = bufs[B_Z]; C.s = bufs[B_S]; C.lam = bufs[B_LAM]; C.nu = bufs[B_NU];
  C.rx = bufs[B_RX]; C.rz = bufs[B_RZ]; C.ry = bufs[B_RY]; C.rzp = bufs[B_RZP]; C.dg = bufs[B_DG];
  C.dza = bufs[B_DZA]; C.dsa = bufs[B_DSA]; C.dla = bufs[B_DLA]; C.dnua = bufs[B_DNUA];
  C.dz = bufs[B_DZ]; C.ds = bufs[B_DS]; C.dl = bufs[B_DL]; C.dnu = bufs[B_DNU]; C.gdz = bufs[B_GDZ];
  C.rhat = bufs[B_RHAT]; C.f0 = bufs[B_F0]; C.tn1 = bufs[B_TN1]; C.tm1 = bufs[B_TM1]; C.tk1 = bufs[B_TK1];
  C.tc = bufs[B_TC]; C.bz = bufs[B_BZ]; C.bs = bufs[B_BS]; C.blam = bufs[B_BLAM]; C.bnu = bufs[B_BNU];
  C.flam = bufs[B_FLAM]; C.fnu = bufs[B_FNU];
  C.act = bufs[B_ACT]; C.kf = bufs[B_KF]; C.y = bufs[B_Y]; C.pf = bufs[B_PF];
  C.ldkf = (int)P.ld_kf;
  C.ldy = (int)P.ld_y;
  C.ldpf = (int)P.ld_pf;
  C.tau = QP_INF;
  C.nact = 0;
  C.nc = 0;
}

// ---------------------------------------------------------------------------
// Setup (per problem, once): ops/qp/setup.go.

// qbase_compute forms qs = ½(Q+Qᵀ) and tries U = chol(qs). It returns 0 when
// Q is positive definite (U valid), 1 when it is only semidefinite and 2 when
// it is not semidefinite.
__device__ QP_NOINLINE int qbase_compute(const Blk& B, int n, const double* Q, double* qs, double* u) {
  for (int idx = B.tid; idx < n * n; idx += B.nt) {
    const int i = idx / n, j = idx - i * n;
    const double x = Q[(size_t)i * n + j], y = Q[(size_t)j * n + i];
    const double q = x == y ? x : 0.5 * (x + y);
    qs[idx] = q;
    u[idx] = q;
  }
  __syncthreads();
  double scale = 0;
  for (int i = 0; i < n; i++) scale = fmax(scale, fabs(qs[(size_t)i * n + i]));
  if (potrf_tol(B, n, u, n, PD_PIVOT)) return 0;
  // Not positive definite: positive semidefinite up to rounding if a small
  // shift of the diagonal factors.
  double delta = 1e-9 * fmax(scale, 1e-300);
  if (scale == 0) delta = 1e-300;
  for (int idx = B.tid; idx < n * n; idx += B.nt) {
    const int i = idx / n, j = idx - i * n;
    u[idx] = qs[idx] + (i == j ? delta : 0.0);
  }
  __syncthreads();
  return potrf(B, n, u, n) ? 1 : 2;
}

extern "C" __global__ void __launch_bounds__(256) qp_qbase(const QPParams P) {
  const Blk B = make_blk();
  const int n = (int)P.n;
  const int st = qbase_compute(B, n, P.Q, P.qbase, P.qbase + (size_t)n * n);
  if (B.tid == 0) P.qbase[2 * (size_t)n * n] = st;
}

extern "C" __global__ void __launch_bounds__(256) qp_setup(const QPParams P) {
  const Blk B = make_blk();
  const long long sidx = blockIdx.x;
  if (P.nsetup > 1 && P.status[sidx] != ST_OK) return;  // item already failed
  const int n = (int)P.n, m = (int)P.m, k = (int)P.k;
  double* S = P.setup + sidx * P.setup_stride;
  const double* G = item_ptr(P.G, P.shared, IN_G, (long long)m * n, sidx);
  const double* A = item_ptr(P.A, P.shared, IN_A, (long long)k * n, sidx);
  const double *qs, *u;
  int qst;
  if (P.use_qbase) {
    qs = P.qbase;
    u = P.qbase + (size_t)n * n;
    qst = (int)P.qbase[2 * (size_t)n * n];
  } else {
    const double* Q = item_ptr(P.Q, P.shared, IN_Q, (long long)n * n, sidx);
    qst = qbase_compute(B, n, Q, S + P.so_qs, S + P.so_u);
    qs = S + P.so_qs;
    u = S + P.so_u;
  }
  if (qst == 2) {
    if (B.tid == 0) P.setup_status[sidx] = -ST_Q_NOT_PSD;
    return;
  }
  Red R;
  R.buf = S + P.so_scal + 4;  // reduction scratch (2·RED_MAXVALS·32 doubles) after the scalars
  R.parity = 0;
  // The cost model of ops/qp's newSetup decides between the reductions; the
  // primal update GᵀDG counts as cheap when G is very sparse.
  const double fn = n, fm = m, fk = k;
  double syrkCost = fm * fn * fn / 2;
  if (m > 0) {
    double c = 0;
    for (int r = B.tid; r < m; r += B.nt) {
      double nz = 0;
      for (int j = 0; j < n; j++) nz += G[(size_t)r * n + j] != 0 ? 1.0 : 0.0;
      c += nz * (nz + 1) / 2;
    }
    c = block_sum(B, R, c);
    if (c * 8 < syrkCost) syrkCost = c;
  }
  const double costPrimal = fn * fn * fn / 3 + syrkCost + fn * fn * fk + fk * fk * fk / 3;
  const double costDual = fm * fm * fm / 3;
  const bool dual = qst == 0 && (P.force_path == 1 || (P.force_path == 0 && costDual <= costPrimal));
  if (dual) {
    // W = U⁻ᵀ[Gᵀ Aᵀ] (n×(m+k)); V = chol(WaᵀWa); T = V⁻ᵀWaᵀWg;
    // M0 = WgᵀWg − TᵀT.
    const int ld = m + k;
    double* W = S + P.so_w;
    for (int idx = B.tid; idx < n * ld; idx += B.nt) {
      const int j = idx / ld, r = idx - j * ld;
      W[idx] = r < m ? G[(size_t)r * n + j] : A[(size_t)(r - m) * n + j];
    }
    __syncthreads();
    trsm_ut(B, n, ld, u, n, W, ld);
    double* T = S + P.so_t;
    if (k > 0) {
      double* V = S + P.so_v;
      gemm_tn(B, k, k, n, 1.0, W + m, ld, W + m, ld, false, true, V, k);
      if (!potrf_tol(B, k, V, k, RANK_PIVOT)) {
        if (B.tid == 0) P.setup_status[sidx] = -ST_RANK_SETUP;
        return;
      }
      if (m > 0) {
        gemm_tn(B, k, m, n, 1.0, W + m, ld, W, ld, false, false, T, m);
        trsm_ut(B, k, m, V, k, T, m);
      }
    }
    if (m > 0) {
      double* M0 = S + P.so_m0;
      gemm_tn(B, m, m, n, 1.0, W, ld, W, ld, false, true, M0, m);
      if (k > 0) gemm_tn(B, m, m, k, -1.0, T, m, T, m, true, true, M0, m);
    }
    if (B.tid == 0) {
      S[P.so_scal] = 0;
      S[P.so_scal + 1] = 0;
      P.setup_status[sidx] = 1;
    }
    return;
  }
  // Primal: Q̃ = Q + ρAᵀA with ρ = (1+max Qᵢᵢ)/max‖Aᵣ‖², and ρ_g likewise
  // for G (the backward's weight of active rows).
  double* QT = S + P.so_u;
  for (int idx = B.tid; idx < n * n; idx += B.nt) QT[idx] = qs[idx];
  double qmax = 0;
  for (int i = 0; i < n; i++) qmax = fmax(qmax, fabs(qs[(size_t)i * n + i]));
  double gmax = 0;
  for (int r = B.warp; r < m; r += B.nw) {
    double d = 0;
    for (int j = B.lane; j < n; j += 32) d += G[(size_t)r * n + j] * G[(size_t)r * n + j];
    gmax = fmax(gmax, warp_sum(d));
  }
  gmax = block_max(B, R, gmax);
  if (gmax == 0) gmax = 1;
  const double rhoG = (1 + qmax) / gmax;
  double rho = 0;
  if (k > 0) {
    double amax = 0;
    for (int r = B.warp; r < k; r += B.nw) {
      double d = 0;
      for (int j = B.lane; j < n; j += 32) d += A[(size_t)r * n + j] * A[(size_t)r * n + j];
      amax = fmax(amax, warp_sum(d));
    }
    amax = block_max(B, R, amax);
    if (amax == 0) amax = 1;
    rho = (1 + qmax) / amax;
    gemm_tn(B, n, n, k, rho, A, n, A, n, true, true, QT, n);
  }
  if (B.tid == 0) {
    S[P.so_scal] = rho;
    S[P.so_scal + 1] = rhoG;
    P.setup_status[sidx] = 2;
  }
}

// ---------------------------------------------------------------------------
// Newton systems: ops/qp/kkt.go.

// factor prepares the Newton system whose diagonal block is d = λ/s. On the
// primal path, rows with d > tau are treated like equalities (backward);
// tau = +Inf keeps them all in H.
__device__ QP_NOINLINE int factor(Ctx& C, const double* d, double tau) {
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  if (C.dual) {
    if (m == 0) return FAC_OK;
    double* K = C.kf;
    const int ld = C.ldkf;
    for (int i = B.warp; i < m; i += B.nw)
      for (int j = i + B.lane; j < m; j += 32)
        K[(size_t)i * ld + j] = C.m0[(size_t)i * m + j] + (i == j ? 1.0 / d[i] : 0.0);
    __syncthreads();
    return potrf(B, m, K, ld) ? FAC_OK : FAC_K;
  }
  C.tau = tau;
  int na = 0;
  for (int r = 0; r < m; r++)
    if (d[r] > tau) na++;
  if (na > 0 && B.tid == 0) {
    int x = 0;
    for (int r = 0; r < m; r++)
      if (d[r] > tau) C.act[x++] = r;
  }
  C.nact = na;
  // H = Q̃ + Σ_r w_r g_r g_rᵀ with w_r = d_r, or ρ_g for active rows.
  double* H = C.kf;
  const int ld = C.ldkf;
  const double rhoG = C.rhoG;
  for (int i = B.warp; i < n; i += B.nw)
    for (int j = i + B.lane; j < n; j += 32) {
      double sum = 0;
      for (int r = 0; r < m; r++) {
        const double* gr = C.g + (size_t)r * n;
        const double wr = d[r] > tau ? rhoG : d[r];
        sum += (wr * gr[i]) * gr[j];
      }
      H[(size_t)i * ld + j] = C.qt[(size_t)i * n + j] + sum;
    }
  __syncthreads();
  if (!potrf(B, n, H, ld)) return FAC_H;
  const int c = k + na;
  C.nc = c;
  if (c == 0) return FAC_OK;
  // Schur complement of C = [A; G_act]: Y = H⁻ᵀCᵀ, P = YᵀY + diag(0, 1/(d_act − ρ_g)).
  double* Y = C.y;
  const int ldy = C.ldy;
  for (int idx = B.tid; idx < n * c; idx += B.nt) {
    const int j = idx / c, x = idx - j * c;
    Y[(size_t)j * ldy + x] = x < k ? C.a[(size_t)x * n + j] : C.g[(size_t)C.act[x - k] * n + j];
  }
  __syncthreads();
  trsm_ut(B, n, c, H, ld, Y, ldy);
  double* PF = C.pf;
  const int ldp = C.ldpf;
  gemm_tn(B, c, c, n, 1.0, Y, ldy, Y, ldy, false, true, PF, ldp);
  for (int x = B.tid; x < na; x += B.nt) {
    const int r = (int)C.act[x];
    PF[(size_t)(k + x) * ldp + k + x] += 1 / (d[r] - rhoG);
  }
  __syncthreads();
  return potrf_tol(B, c, PF, ldp, RANK_PIVOT) ? FAC_OK : FAC_P;
}

// solve_newton solves the Newton system of the last factor call,
//
//   Q dz + Gᵀdλ + Aᵀdν = −rx,   G dz − D⁻¹dλ = −rzp,   A dz = −ry,
//
// and leaves G·dz in C.gdz. rxSame reuses the reductions of rx from the
// previous call (the corrector after the predictor, dual path).
__device__ QP_NOINLINE void solve_newton(Ctx& C, const double* d, const double* rx, const double* rzp, const double* ry,
                             double* dz, double* dl, double* dnu, bool rxSame) {
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  if (C.dual) {
    const int ld = m + k;
    if (!rxSame) {
      copy_vec(B, n, rx, C.rhat);
      trsv_ut(B, n, C.u, n, C.rhat);
      gemv_t(B, n, ld, 1.0, C.w, ld, C.rhat, false, C.f0);
    }
    for (int i = B.tid; i < m; i += B.nt) dl[i] = rzp[i] - C.f0[i];
    double* f = C.tk1;
    for (int i = B.tid; i < k; i += B.nt) f[i] = ry[i] - C.f0[m + i];
    __syncthreads();
    if (k > 0) {
      trsv_ut(B, k, C.v, k, f);
      if (m > 0) {
        gemv_t(B, k, m, -1.0, C.t, m, f, true, dl);
        chol_solve(B, m, C.kf, C.ldkf, dl);
      }
      copy_vec(B, k, f, dnu);
      if (m > 0) gemv_n(B, k, m, -1.0, C.t, m, dl, true, dnu);
      trsv_u(B, k, C.v, k, dnu);
    } else if (m > 0) {
      chol_solve(B, m, C.kf, C.ldkf, dl);
    }
    double* yv = C.tc;
    for (int i = B.tid; i < m; i += B.nt) yv[i] = dl[i];
    for (int i = B.tid; i < k; i += B.nt) yv[m + i] = dnu[i];
    double* r = C.tn1;
    for (int i = B.tid; i < n; i += B.nt) r[i] = C.rhat[i];
    __syncthreads();
    gemv_n(B, n, ld, 1.0, C.w, ld, yv, true, r);
    trsv_u(B, n, C.u, n, r);
    for (int i = B.tid; i < n; i += B.nt) dz[i] = -r[i];
    __syncthreads();
    if (m > 0) gemv_n(B, m, n, 1.0, C.g, n, dz, false, C.gdz);
    return;
  }
  // Primal path; see factor.
  double* r = C.tn1;
  const double tau = C.tau, rhoG = C.rhoG;
  for (int i = B.tid; i < n; i += B.nt) r[i] = -rx[i];
  double* tt = C.tm1;
  for (int i = B.tid; i < m; i += B.nt) tt[i] = (d[i] > tau ? rhoG : d[i]) * rzp[i];
  __syncthreads();
  if (m > 0) gemv_t(B, m, n, -1.0, C.g, n, tt, true, r);
  if (k > 0) gemv_t(B, k, n, -C.rho, C.a, n, ry, true, r);
  trsv_ut(B, n, C.kf, C.ldkf, r);
  const int c = C.nc;
  double* yv = C.tc;
  if (c > 0) {
    for (int i = B.tid; i < k; i += B.nt) yv[i] = ry[i];
    for (int x = B.tid; x < C.nact; x += B.nt) yv[k + x] = rzp[(int)C.act[x]];
    __syncthreads();
    gemv_t(B, n, c, 1.0, C.y, C.ldy, r, true, yv);
    chol_solve(B, c, C.pf, C.ldpf, yv);
    gemv_n(B, n, c, -1.0, C.y, C.ldy, yv, true, r);
  }
  trsv_u(B, n, C.kf, C.ldkf, r);
  for (int i = B.tid; i < n; i += B.nt) dz[i] = r[i];
  for (int i = B.tid; i < k; i += B.nt) dnu[i] = yv[i];
  __syncthreads();
  if (m > 0) {
    gemv_n(B, m, n, 1.0, C.g, n, dz, false, C.gdz);
    for (int i = B.tid; i < m; i += B.nt) dl[i] = d[i] * (C.gdz[i] + rzp[i]);
    __syncthreads();
    for (int x = B.tid; x < C.nact; x += B.nt) {
      const int a = (int)C.act[x];
      dl[a] = yv[k + x] / (1 - rhoG / d[a]);
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------------------
// Interior-point method: ops/qp/ipm.go.

// residuals computes rx = Qz + p + Gᵀλ + Aᵀν, rz = Gz + s − h, ry = Az − b
// and returns ‖rx‖₂ + ‖rz‖₂ + ‖ry‖₂ + sᵀλ.
__device__ QP_NOINLINE double residuals(Ctx& C) {
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  // Q is symmetric (qs), so row j of Q is column j: thread j reads a
  // contiguous column slice of each matrix (coalesced across threads).
  for (int j = B.tid; j < n; j += B.nt) {
    double q = 0;
    for (int i = 0; i < n; i++) q += C.qs[(size_t)i * n + j] * C.z[i];
    double r = C.p[j] + q;
    for (int i = 0; i < m; i++) r += C.lam[i] * C.g[(size_t)i * n + j];
    for (int i = 0; i < k; i++) r += C.nu[i] * C.a[(size_t)i * n + j];
    C.rx[j] = r;
  }
  for (int i = B.tid; i < m; i += B.nt) C.rz[i] = C.s[i] - C.h[i];
  for (int i = B.tid; i < k; i += B.nt) C.ry[i] = -C.b[i];
  __syncthreads();
  if (m > 0) gemv_n(B, m, n, 1.0, C.g, n, C.z, true, C.rz);
  if (k > 0) gemv_n(B, k, n, 1.0, C.a, n, C.z, true, C.ry);
  double v[4] = {0, 0, 0, 0};
  for (int j = B.tid; j < n; j += B.nt) v[0] += C.rx[j] * C.rx[j];
  for (int i = B.tid; i < m; i += B.nt) {
    v[1] += C.rz[i] * C.rz[i];
    v[2] += C.s[i] * C.lam[i];
  }
  for (int i = B.tid; i < k; i += B.nt) v[3] += C.ry[i] * C.ry[i];
  block_reduce(B, C.R, v, 4, RED_SUM);
  double score = sqrt(v[0]);
  if (m > 0) score += sqrt(v[1]) + v[2];
  if (k > 0) score += sqrt(v[3]);
  return score;
}

// max_step returns the largest α ≤ 1 with x + α·dx ≥ 0 and y + α·dy ≥ 0.
__device__ QP_NOINLINE double max_step(Ctx& C, int len, const double* x, const double* dx, const double* y, const double* dy) {
  const Blk& B = C.B;
  // x + a·v ≥ 0 ⇔ a ≤ −x/v: compare without dividing (as the CPU solver).
  double a = 1;
  for (int i = B.tid; i < len; i += B.nt) {
    const double v = dx[i];
    if (v < 0 && x[i] < -a * v) a = -x[i] / v;
  }
  for (int i = B.tid; i < len; i += B.nt) {
    const double v = dy[i];
    if (v < 0 && y[i] < -a * v) a = -y[i] / v;
  }
  return block_min(B, C.R, a);
}

// shift_positive adds 1 − min(x) to every element when min(x) ≤ 0.
__device__ QP_NOINLINE void shift_positive(Ctx& C, int len, double* x) {
  const Blk& B = C.B;
  double lo = QP_INF;
  for (int i = B.tid; i < len; i += B.nt) lo = nmin(lo, x[i]);
  lo = block_min(B, C.R, lo);
  if (lo <= 0)
    for (int i = B.tid; i < len; i += B.nt) x[i] += 1 - lo;
  __syncthreads();
}

// all_finite reports whether every element of the given vectors (up to
// four; unused ones have length 0) is finite.
__device__ QP_NOINLINE bool all_finite(Ctx& C, const double* x, int nx, const double* y, int ny, const double* w, int nw,
                                       const double* u, int nu) {
  const Blk& B = C.B;
  double bad = 0;
  for (int i = B.tid; i < nx; i += B.nt)
    if (!isfinite(x[i])) bad = 1;
  for (int i = B.tid; i < ny; i += B.nt)
    if (!isfinite(y[i])) bad = 1;
  for (int i = B.tid; i < nw; i += B.nt)
    if (!isfinite(w[i])) bad = 1;
  for (int i = B.tid; i < nu; i += B.nt)
    if (!isfinite(u[i])) bad = 1;
  return block_max(B, C.R, bad) == 0;
}

// swap_best exchanges the current and the best iterate (pointers only: every
// thread does the same).
__device__ __forceinline__ void swap_best(Ctx& C) {
  double* t;
  t = C.z; C.z = C.bz; C.bz = t;
  t = C.s; C.s = C.bs; C.bs = t;
  t = C.lam; C.lam = C.blam; C.blam = t;
  t = C.nu; C.nu = C.bnu; C.bnu = t;
}

__device__ void axpy(const Blk& B, int len, double alpha, const double* x, double* y) {
  for (int i = B.tid; i < len; i += B.nt) y[i] += alpha * x[i];
}

// acceptable checks the optimality conditions at the current iterate
// (overwriting the residuals), each relative to the size of the terms it
// balances.
__device__ QP_NOINLINE bool acceptable(Ctx& C, double tol) {
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  residuals(C);
  if (!all_finite(C, C.rx, n, C.rz, m, C.ry, k, C.ry, 0)) return false;
  // Per-thread partial sums and maxima:
  // sums: zᵀQz, pᵀz, sᵀλ; maxima: |Qz|, |p|, |Gᵀλ|, |Aᵀν|, |rx|, |Gz|, |h|, |rz|, |Az|, |b|, |ry|.
  double sums[3] = {0, 0, 0};
  double mx[11];
  for (int i = 0; i < 11; i++) mx[i] = 0;
  for (int j = B.tid; j < n; j += B.nt) {
    double q = 0, gl = 0, an = 0;
    for (int i = 0; i < n; i++) q += C.qs[(size_t)i * n + j] * C.z[i];
    for (int i = 0; i < m; i++) gl += C.lam[i] * C.g[(size_t)i * n + j];
    for (int i = 0; i < k; i++) an += C.nu[i] * C.a[(size_t)i * n + j];
    sums[0] += q * C.z[j];
    sums[1] += C.p[j] * C.z[j];
    mx[0] = nmax(mx[0], fabs(q));
    mx[1] = nmax(mx[1], fabs(C.p[j]));
    mx[2] = nmax(mx[2], fabs(gl));
    mx[3] = nmax(mx[3], fabs(an));
    mx[4] = nmax(mx[4], fabs(C.rx[j]));
  }
  // G z and A z into the scratch vectors tm1 and tk1.
  if (m > 0) gemv_n(B, m, n, 1.0, C.g, n, C.z, false, C.tm1);
  if (k > 0) gemv_n(B, k, n, 1.0, C.a, n, C.z, false, C.tk1);
  for (int i = B.tid; i < m; i += B.nt) {
    sums[2] += C.s[i] * C.lam[i];
    mx[5] = nmax(mx[5], fabs(C.tm1[i]));
    mx[6] = nmax(mx[6], fabs(C.h[i]));
    mx[7] = nmax(mx[7], fabs(C.rz[i]));
  }
  for (int i = B.tid; i < k; i += B.nt) {
    mx[8] = nmax(mx[8], fabs(C.tk1[i]));
    mx[9] = nmax(mx[9], fabs(C.b[i]));
    mx[10] = nmax(mx[10], fabs(C.ry[i]));
  }
  block_reduce(B, C.R, sums, 3, RED_SUM);
  block_reduce(B, C.R, mx, 11, RED_MAX);
  const double obj = 0.5 * sums[0] + sums[1];
  double scale = nmax(mx[0], mx[1]);
  if (m > 0) scale = nmax(scale, mx[2]);
  if (k > 0) scale = nmax(scale, mx[3]);
  if (mx[4] > tol * (1 + scale)) return false;
  if (m > 0) {
    if (mx[7] > tol * (1 + nmax(mx[5], mx[6]))) return false;
    if (sums[2] > tol * (1 + fabs(obj))) return false;
  }
  if (k > 0) {
    if (mx[10] > tol * (1 + nmax(mx[8], mx[9]))) return false;
  }
  return true;
}

// infeasible reports whether the last finite iterate's multipliers (flam,
// fnu) approximately certify infeasibility (Farkas): λ ≥ 0 with
// Gᵀλ + Aᵀν ≈ 0 and hᵀλ + bᵀν < 0.
__device__ QP_NOINLINE bool infeasible(Ctx& C) {
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  const double *lam = C.flam, *nu = C.fnu;
  // sums: ‖λ‖₁ + ‖ν‖₁, hᵀλ, bᵀν; maxima: |G|, |A|, |z_best|.
  double v[3] = {0, 0, 0};
  for (int i = B.tid; i < m; i += B.nt) {
    v[0] += fabs(lam[i]);
    v[1] += C.h[i] * lam[i];
  }
  for (int i = B.tid; i < k; i += B.nt) {
    v[0] += fabs(nu[i]);
    v[2] += C.b[i] * nu[i];
  }
  double mx[3] = {0, 0, 0};
  for (int i = B.tid; i < m * n; i += B.nt) mx[0] = nmax(mx[0], fabs(C.g[i]));
  for (int i = B.tid; i < k * n; i += B.nt) mx[1] = nmax(mx[1], fabs(C.a[i]));
  for (int i = B.tid; i < n; i += B.nt) mx[2] = nmax(mx[2], fabs(C.bz[i]));
  block_reduce(B, C.R, v, 3, RED_SUM);
  block_reduce(B, C.R, mx, 3, RED_MAX);
  const double norm = v[0];
  if (!(norm > 0) || isinf(norm)) return false;
  const double inv = 1 / norm;
  double tmax = 0;
  for (int j = B.tid; j < n; j += B.nt) {
    double t = 0;
    for (int i = 0; i < m; i++) t += (inv * lam[i]) * C.g[(size_t)i * n + j];
    for (int i = 0; i < k; i++) t += (inv * nu[i]) * C.a[(size_t)i * n + j];
    tmax = nmax(tmax, fabs(t));
  }
  tmax = block_max(B, C.R, tmax);
  double gmax = mx[0];
  if (k > 0) gmax = nmax(gmax, mx[1]);
  const double gap = (v[1] + v[2]) / norm;
  return gap < 0 && tmax <= 1e-3 * nmax(gmax, 1e-300) && tmax * (1 + mx[2]) < -gap;
}

// start_code turns a factorisation failure at the starting point into the
// status reported for the item (ops/qp setupFailure).
__device__ __forceinline__ int start_code(int f) {
  return f == FAC_H ? ST_START_H : f == FAC_P ? ST_START_P : ST_START_K;
}

__device__ QP_NOINLINE void write_nan(const QPParams& P, const Blk& B, long long item) {
  const double nan = __longlong_as_double(0x7ff8000000000000LL);
  for (long long i = B.tid; i < P.n; i += B.nt) P.z[item * P.n + i] = nan;
  for (long long i = B.tid; i < P.m; i += B.nt) {
    P.s[item * P.m + i] = nan;
    P.lam[item * P.m + i] = nan;
  }
  for (long long i = B.tid; i < P.k; i += B.nt) P.nu[item * P.k + i] = nan;
}

// ipm runs the interior-point method on the block's item and returns its
// status; the best iterate is left in z, s, λ, ν.
__device__ QP_NOINLINE int ipm(Ctx& C, const QPParams& P, long long item, int* steps_out, double* best_out, int* stop_out) {
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  *steps_out = 0;
  *best_out = QP_INF;
  *stop_out = FAC_OK;
  // Start: the Newton system with s = λ = 1 from the origin, then s and
  // λ = −s shifted into the interior.
  for (int i = B.tid; i < m; i += B.nt) C.dg[i] = 1;
  __syncthreads();
  int f = factor(C, C.dg, QP_INF);
  if (f != FAC_OK) return start_code(f);
  for (int i = B.tid; i < n; i += B.nt) C.rx[i] = C.p[i];
  for (int i = B.tid; i < m; i += B.nt) C.rzp[i] = -C.h[i];
  for (int i = B.tid; i < k; i += B.nt) C.ry[i] = -C.b[i];
  __syncthreads();
  solve_newton(C, C.dg, C.rx, C.rzp, C.ry, C.z, C.lam, C.nu, false);
  if (m > 0) {
    for (int i = B.tid; i < m; i += B.nt) C.s[i] = C.h[i] - C.gdz[i];
    __syncthreads();
    shift_positive(C, m, C.s);
    shift_positive(C, m, C.lam);
  }
  copy_vec(B, m, C.lam, C.flam);
  copy_vec(B, k, C.nu, C.fnu);
  double best = QP_INF;
  int notImproved = 0, steps = 0, stop = FAC_OK;
  const double eps = P.eps;
  for (;; steps++) {
    const double score = residuals(C);
    if (score < best) {
      best = score;
      notImproved = 0;
      for (int i = B.tid; i < n; i += B.nt) C.bz[i] = C.z[i];
      for (int i = B.tid; i < m; i += B.nt) {
        C.bs[i] = C.s[i];
        C.blam[i] = C.lam[i];
      }
      for (int i = B.tid; i < k; i += B.nt) C.bnu[i] = C.nu[i];
    } else {
      notImproved++;
    }
    if (!(score >= eps) || steps == P.maxiter) break;
    if (notImproved >= P.not_improved_limit) {
      // Stalled. Stop if the best iterate is good enough; otherwise the
      // stall is the non-monotone early phase of an infeasible start: go
      // on, up to maxiter (as the CPU solver).
      __syncthreads();  // the best iterate's copies above are complete
      swap_best(C);
      const bool ok = acceptable(C, P.accept_tol);
      swap_best(C);
      if (ok) break;
      notImproved = 0;
      residuals(C);
    }
    for (int i = B.tid; i < m; i += B.nt) C.dg[i] = C.lam[i] / C.s[i];
    __syncthreads();
    f = factor(C, C.dg, QP_INF);
    if (f != FAC_OK) {
      stop = f;
      break;
    }
    if (m == 0) {
      // A linear system: Newton converges in one step; later steps refine.
      solve_newton(C, C.dg, C.rx, C.rzp, C.ry, C.dz, C.dl, C.dnu, false);
      axpy(B, n, 1, C.dz, C.z);
      axpy(B, k, 1, C.dnu, C.nu);
      __syncthreads();
      continue;
    }
    // Predictor (affine scaling): complementarity target 0.
    for (int i = B.tid; i < m; i += B.nt) C.rzp[i] = C.rz[i] - C.s[i];
    __syncthreads();
    solve_newton(C, C.dg, C.rx, C.rzp, C.ry, C.dza, C.dla, C.dnua, false);
    for (int i = B.tid; i < m; i += B.nt) C.dsa[i] = -C.rz[i] - C.gdz[i];
    __syncthreads();
    const double aa = max_step(C, m, C.s, C.dsa, C.lam, C.dla);
    double mv[2] = {0, 0};
    for (int i = B.tid; i < m; i += B.nt) {
      mv[0] += C.s[i] * C.lam[i];
      mv[1] += (C.s[i] + aa * C.dsa[i]) * (C.lam[i] + aa * C.dla[i]);
    }
    block_reduce(B, C.R, mv, 2, RED_SUM);
    const double mu = mv[0] / m, muAff = mv[1] / m;
    double sigma = muAff / mu;
    sigma = fmin(1.0, sigma * sigma * sigma);
    // Corrector: s∘λ + dsₐ∘dλₐ = σμ.
    for (int i = B.tid; i < m; i += B.nt) {
      const double rs = C.s[i] * C.lam[i] + C.dsa[i] * C.dla[i] - sigma * mu;
      C.rzp[i] = C.rz[i] - rs / C.lam[i];
    }
    __syncthreads();
    solve_newton(C, C.dg, C.rx, C.rzp, C.ry, C.dz, C.dl, C.dnu, true);
    for (int i = B.tid; i < m; i += B.nt) C.ds[i] = -C.rz[i] - C.gdz[i];
    __syncthreads();
    const double alpha = fmin(1.0, 0.99 * max_step(C, m, C.s, C.ds, C.lam, C.dl));
    axpy(B, n, alpha, C.dz, C.z);
    axpy(B, m, alpha, C.ds, C.s);
    axpy(B, m, alpha, C.dl, C.lam);
    axpy(B, k, alpha, C.dnu, C.nu);
    __syncthreads();
    if (!all_finite(C, C.s, m, C.lam, m, C.z, n, C.nu, k)) break;
    // On an infeasible problem the multipliers grow until the step
    // overflows; the certificate is read from the last finite ones.
    for (int i = B.tid; i < m; i += B.nt) C.flam[i] = C.lam[i];
    for (int i = B.tid; i < k; i += B.nt) C.fnu[i] = C.nu[i];
    __syncthreads();
  }
  *steps_out = steps;
  *best_out = best;
  *stop_out = stop;
  // Judge the best iterate; the last finite multipliers serve the
  // infeasibility test.
  __syncthreads();
  copy_vec(B, n, C.bz, C.z);
  copy_vec(B, m, C.bs, C.s);
  copy_vec(B, m, C.blam, C.lam);
  copy_vec(B, k, C.bnu, C.nu);
  if (acceptable(C, P.accept_tol)) return ST_OK;
  if (m > 0 && infeasible(C)) return ST_INFEASIBLE;
  return ST_NOT_CONVERGED;
}

extern "C" __global__ void __launch_bounds__(256, 2) qp_ipm(const QPParams P) {
  const long long item = blockIdx.x;
  const Blk B = make_blk();
  long long st = P.status[item];
  if (st == ST_OK) {
    const long long sidx = P.nsetup == 1 ? 0 : item;
    const long long ss = P.setup_status[sidx];
    if (ss < 0) st = -ss;
  }
  if (st != ST_OK) {
    write_nan(P, B, item);
    if (B.tid == 0) {
      P.status[item] = st;
      P.iters[item] = 0;
      P.info[2 * item] = 0;
      P.info[2 * item + 1] = 0;
    }
    return;
  }
  Ctx C;
  ctx_init(C, P, item);
  int steps, stop;
  double best;
  st = ipm(C, P, item, &steps, &best, &stop);
  if (st == ST_OK) {
    const long long n = P.n, m = P.m, k = P.k;
    for (long long i = B.tid; i < n; i += B.nt) P.z[item * n + i] = C.z[i];
    for (long long i = B.tid; i < m; i += B.nt) {
      P.s[item * m + i] = C.s[i];
      P.lam[item * m + i] = C.lam[i];
    }
    for (long long i = B.tid; i < k; i += B.nt) P.nu[item * k + i] = C.nu[i];
  } else {
    write_nan(P, B, item);
  }
  if (B.tid == 0) {
    P.status[item] = st;
    P.iters[item] = steps;
    P.info[2 * item] = best;
    P.info[2 * item + 1] = stop;
  }
}

// ---------------------------------------------------------------------------
// Backward: ops/qp/backward.go. With w = Λd_λ the adjoint KKT system is the
// Newton system with rx = ∂ℓ/∂z, rz′ = 0, ry = 0 at the returned iterate.

extern "C" __global__ void __launch_bounds__(256, 2) qp_backward(const QPParams P) {
  const long long item = blockIdx.x;
  if (P.status[item] != ST_OK) return;  // qp_grads writes the NaN rows
  Ctx C;
  ctx_init(C, P, item);
  const Blk& B = C.B;
  const int n = C.n, m = C.m, k = C.k;
  for (int i = B.tid; i < m; i += B.nt) {
    C.dg[i] = P.lam[item * m + i] / P.s[item * m + i];
    C.rzp[i] = 0;
  }
  for (int i = B.tid; i < k; i += B.nt) C.ry[i] = 0;
  for (int i = B.tid; i < n; i += B.nt) C.rx[i] = P.dl[item * n + i];
  __syncthreads();
  const int f = factor(C, C.dg, ACTIVE_RATIO * C.rhoG);
  if (f != FAC_OK) {
    const double nan = __longlong_as_double(0x7ff8000000000000LL);
    for (int i = B.tid; i < n; i += B.nt) P.bdz[item * n + i] = nan;
    for (int i = B.tid; i < m; i += B.nt) P.bw[item * m + i] = nan;
    for (int i = B.tid; i < k; i += B.nt) P.bdnu[item * k + i] = nan;
    return;
  }
  solve_newton(C, C.dg, C.rx, C.rzp, C.ry, C.dz, C.dl, C.dnu, false);
  for (int i = B.tid; i < n; i += B.nt) P.bdz[item * n + i] = C.dz[i];
  for (int i = B.tid; i < m; i += B.nt) P.bw[item * m + i] = C.dl[i];
  for (int i = B.tid; i < k; i += B.nt) P.bdnu[item * k + i] = C.dnu[i];
}

// grad_term is item i's contribution to element l of gradient g (0..5 for
// Q, p, G, h, A, b).
__device__ __forceinline__ double grad_term(const QPParams& P, int g, long long i, long long l) {
  const long long n = P.n, m = P.m, k = P.k;
  const double* z = P.z + i * n;
  const double* dz = P.bdz + i * n;
  switch (g) {
    case 0: {
      const long long a = l / n, b = l - a * n;
      return (0.5 * dz[a]) * z[b] + (0.5 * z[a]) * dz[b];
    }
    case 1:
      return dz[l];
    case 2: {
      const long long r = l / n, b = l - r * n;
      return P.bw[i * m + r] * z[b] + P.lam[i * m + r] * dz[b];
    }
    case 3:
      return -P.bw[i * m + l];
    case 4: {
      const long long r = l / n, b = l - r * n;
      return P.bdnu[i * k + r] * z[b] + P.nu[i * k + r] * dz[b];
    }
    default:
      return -P.bdnu[i * k + l];
  }
}

// qp_grads: grid (x: elements / blockDim, y: gradient 0..5). Batched
// gradients have one row per item (NaN for failed items); shared ones sum
// over the solved items in item order.
extern "C" __global__ void __launch_bounds__(256) qp_grads(const QPParams P) {
  const int g = blockIdx.y;
  const long long n = P.n, m = P.m, k = P.k;
  const long long sizes[6] = {n * n, n, m * n, m, k * n, k};
  double* outs[6] = {P.gQ, P.gP, P.gG, P.gH, P.gA, P.gB};
  const long long size = sizes[g];
  if (size == 0) return;
  const bool shared = (P.shared >> g) & 1;
  const long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  double* out = outs[g];
  if (shared) {
    if (e >= size) return;
    double acc = 0;
    for (long long i = 0; i < P.batch; i++)
      if (P.status[i] == ST_OK) acc += grad_term(P, g, i, e);
    out[e] = acc;
    return;
  }
  if (e >= P.batch * size) return;
  const long long i = e / size, l = e - i * size;
  out[e] = P.status[i] == ST_OK ? grad_term(P, g, i, l) : __longlong_as_double(0x7ff8000000000000LL);
}
