// Package kernels holds optnet's CUDA kernels: the CUDA C++ sources
// (qp.cu, qp_la.cuh) and the PTX compiled from them (qp.ptx), which is
// committed and embedded so that building optnet needs neither nvcc nor cgo.
// The driver JIT-compiles the PTX for the GPU at run time.
//
// Regenerate the PTX after editing the sources:
//
//	go generate ./gpu/kernels
//
// (scripts/gen-ptx.sh; it finds or builds nvcc, see docs/gpu.md). A test
// checks that the embedded PTX declares every kernel the Go side launches
// and that its parameter block has the size of the Go mirror.
package kernels

import _ "embed"

//go:generate ../../scripts/gen-ptx.sh

// QPPTX is the PTX module of the QP solver (qp.cu), NUL-free text.
//
//go:embed qp.ptx
var QPPTX []byte

// QPSource is the CUDA source the PTX was compiled from (for the tests that
// cross-check declarations; not needed at run time).
//
//go:embed qp.cu
var QPSource string

// QPHeader is qp_la.cuh, the block-level linear algebra qp.cu includes.
//
//go:embed qp_la.cuh
var QPHeader string

// QPKernels lists the kernels of QPPTX, in the order of the QP_KERNELS list
// in qp.cu.
var QPKernels = []string{"qp_qbase", "qp_setup", "qp_ipm", "qp_backward", "qp_grads"}
