package cudaqp

import "github.com/optnet-go/optnet/gpu/cuda"

// params mirrors struct QPParams of gpu/kernels/qp.cu field for field. Every
// field is 8 bytes, so the layouts agree without padding rules; the tests
// compare the field names with the C declaration and the size with the PTX
// parameter block.
type params struct {
	Batch, N, M, K   int64
	Shared           int64
	Nsetup           int64
	UseQbase         int64
	ForcePath        int64
	Maxiter          int64
	NotImprovedLimit int64
	Eps, AcceptTol   float64

	Q, P, G, H, A, B cuda.DevicePtr

	Setup                                  cuda.DevicePtr
	SetupStride                            int64
	SoQs, SoU, SoW, SoV, SoT, SoM0, SoScal int64
	SetupStatus                            cuda.DevicePtr
	Qbase                                  cuda.DevicePtr
	Status                                 cuda.DevicePtr
	Iters                                  cuda.DevicePtr
	Info                                   cuda.DevicePtr
	Z, S, Lam, Nu                          cuda.DevicePtr
	Dl                                     cuda.DevicePtr
	Bdz, Bw, Bdnu                          cuda.DevicePtr
	GQ, GP, GG, GH, GA, GB                 cuda.DevicePtr
	Work                                   cuda.DevicePtr
	WorkStride                             int64
	LdKf, LdY, LdPf                        int64
	Off                                    [nbuf]int64
}

// Arena buffers (enum Buf in qp.cu), in placement order.
const (
	bRED = iota
	bZ
	bS
	bLAM
	bNU
	bRX
	bRZ
	bRY
	bRZP
	bDG
	bDZA
	bDSA
	bDLA
	bDNUA
	bDZ
	bDS
	bDL
	bDNU
	bGDZ
	bRHAT
	bF0
	bTN1
	bTM1
	bTK1
	bTC
	bBZ
	bBS
	bBLAM
	bBNU
	bFLAM
	bFNU
	bACT
	bKF
	bY
	bPF
	nbuf
)

// Item status codes (the ST_* enum of qp.cu).
const (
	stOK           = 0
	stNonFinite    = 1
	stQNotPSD      = 2
	stStartH       = 3
	stRankSetup    = 4
	stStartP       = 5
	stStartK       = 6
	stInfeasible   = 7
	stNotConverged = 8
)

// Stop reasons of a not-converged item (FAC_* in qp.cu).
const (
	facOK = 0
	facH  = 1
	facP  = 2
	facK  = 3
)

// redMaxVals is RED_MAXVALS of qp_la.cuh: values per warp in each half of
// the reduction scratch.
const redMaxVals = 12

// setupScalars is the size of a setup's scalar area: ρ, ρ_g, two spare, and
// the setup kernel's reduction scratch for up to 32 warps.
const setupScalars = 4 + 2*redMaxVals*32

// oddLD returns the leading dimension used for an arena matrix with c
// columns: odd, so that column accesses of a warp hit distinct shared-memory
// banks.
func oddLD(c int) int {
	if c%2 == 0 {
		return c + 1
	}
	return c
}

// arena is the placement of one kernel's per-item buffers.
type arena struct {
	off          [nbuf]int64
	sharedBytes  int // dynamic shared memory per block
	workDoubles  int // global memory per item
	ldKf, ldY    int
	ldPf         int
	inShared     int // buffers placed in shared memory
	globalMatrix bool
}

// layout places the per-item buffers of the IPM or backward kernel:
// vectors first, then the per-iteration factor (K on the dual path, H on
// the primal path), then the primal path's Schur-complement matrices for up
// to cmax constraints. Each goes to shared memory while the running total
// fits in sharedLimit bytes, otherwise to the item's slice of global memory.
func layout(n, m, k, threads int, dual, primal bool, cmax, sharedLimit int) arena {
	var a arena
	nw := threads / 32
	kfDim := 0
	if dual {
		kfDim = max(kfDim, m)
	}
	if primal {
		kfDim = max(kfDim, n)
	}
	a.ldKf = oddLD(kfDim)
	kfRows := 0
	if dual {
		kfRows = m
	}
	if primal {
		kfRows = max(kfRows, n)
	}
	c := 0
	if primal {
		c = cmax
	}
	a.ldY = oddLD(c)
	a.ldPf = oddLD(c)
	sizes := [nbuf]int{
		bRED: 2 * redMaxVals * nw,
		bZ:   n, bS: m, bLAM: m, bNU: k,
		bRX: n, bRZ: m, bRY: k, bRZP: m, bDG: m,
		bDZA: n, bDSA: m, bDLA: m, bDNUA: k,
		bDZ: n, bDS: m, bDL: m, bDNU: k, bGDZ: m,
		bRHAT: n, bF0: m + k, bTN1: n, bTM1: m, bTK1: k, bTC: m + k,
		bBZ: n, bBS: m, bBLAM: m, bBNU: k,
		bFLAM: m, bFNU: k,
		bACT: m,
		bKF:  kfRows * a.ldKf,
		bY:   0, bPF: 0,
	}
	if c > 0 {
		sizes[bY] = n * a.ldY
		sizes[bPF] = c * a.ldPf
	}
	limit := sharedLimit / 8
	sh, gl := 0, 0
	for b, size := range sizes {
		// Every buffer gets at least one element so that no two share an
		// address (an empty buffer is never read).
		size = max(size, 1)
		if sh+size <= limit {
			a.off[b] = int64(sh)
			sh += size
			a.inShared++
		} else {
			a.off[b] = -int64(gl) - 1
			gl += size
			if b == bKF {
				a.globalMatrix = true
			}
		}
	}
	a.sharedBytes = sh * 8
	a.workDoubles = gl
	return a
}

// threadsFor returns the block size for a problem: a warp per 32 of the
// larger dimension, between one and eight warps.
func threadsFor(n, m, k int) int {
	d := max(n, m+k, 1)
	w := min(max((d+31)/32, 1), 8)
	return 32 * w
}
