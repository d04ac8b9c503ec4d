package gemm

import (
	"github.com/optnet-go/optnet/internal/parallel"
	"runtime"
	"sync"
	"unsafe"
)

// float is the element type of the generic driver.
type float interface{ ~float32 | ~float64 }

// microFunc computes the mr×nr tile AB = Ap·Bp from a packed A micro-panel
// (kc steps of mr values) and a packed B micro-panel (kc steps of nr
// values), and stores C = AB (load false: C is not read) or
// C = AB + beta·C (load true) into the tile at c with leading dimension ldc.
type microFunc[T float] func(kc int, a, b, c []T, ldc int, beta T, load bool)

// kernel describes one micro-kernel and the blocking that suits it.
type kernel[T float] struct {
	name   string
	mr, nr int // micro-tile rows and columns
	mc     int // rows of op(A) packed at once (multiple of mr)
	kc     int // depth of a packed block
	nc     int // columns of op(B) packed at once (multiple of nr)
	micro  microFunc[T]
	// narrow, if set, is used instead for products with n <= narrow.nr,
	// where a tile of nr columns would mostly be padding.
	narrow *kernel[T]
	// asmPack selects the assembly packing routines (amd64 with AVX2).
	asmPack bool
	pool    sync.Pool // *workspace[T]
}

// workspace holds the packing buffers of one goroutine.
type workspace[T float] struct {
	a, b, tile []T
	abuf, bbuf []T // the allocations behind a and b
}

// alignedSlice returns a slice of n elements whose first element is 64-byte
// aligned, carved out of *buf which is grown when too small.
func alignedSlice[T float](buf *[]T, n int) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	pad := 64 / size
	if cap(*buf) < n+pad {
		*buf = make([]T, n+pad)
	}
	s := (*buf)[:cap(*buf)]
	off := 0
	if r := int(uintptr(unsafe.Pointer(&s[0])) % 64); r != 0 {
		off = (64 - r) / size
	}
	return s[off : off+n]
}

func (kn *kernel[T]) getWorkspace(m, n, k int) *workspace[T] {
	ws, _ := kn.pool.Get().(*workspace[T])
	if ws == nil {
		ws = &workspace[T]{tile: make([]T, kn.mr*kn.nr)}
	}
	kb := min(kn.kc, k)
	mb := roundUp(min(kn.mc, m), kn.mr)
	nb := roundUp(min(kn.nc, n), kn.nr)
	ws.a = alignedSlice(&ws.abuf, mb*kb)
	ws.b = alignedSlice(&ws.bbuf, nb*kb)
	return ws
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// kcFor returns the depth of the k blocks for a product of depth k: at most
// kc, with the blocks as even as possible so that no thin last block costs a
// whole extra pass over C.
func (kn *kernel[T]) kcFor(k int) int {
	blocks := (k + kn.kc - 1) / kn.kc
	return (k + blocks - 1) / blocks
}

// maxWorkers returns the number of goroutines a product may use.
func maxWorkers() int { return runtime.GOMAXPROCS(0) }

// Work thresholds, in multiply-adds (m·n·k).
const (
	// minParallelWork is the smallest product split across goroutines.
	minParallelWork = 1 << 16
	// minWorkPerWorker is the least work worth giving one goroutine.
	minWorkPerWorker = 1 << 15
)

// gemm computes C = alpha·op(A)·op(B) + beta·C with at most workers
// goroutines. Arguments are assumed valid.
func (kn *kernel[T]) gemm(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, workers int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	if m == 1 {
		gemv(transA, transB, n, k, alpha, a, lda, b, ldb, beta, c, workers)
		return
	}
	if kn.narrow != nil && n <= kn.narrow.nr {
		kn = kn.narrow
	}
	work := m * n * k
	if work < minParallelWork || workers <= 1 {
		kn.serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	workers = min(workers, work/minWorkPerWorker)
	if workers <= 1 {
		kn.serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	kn.parallel(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers)
}

// strided runs a batch of products, spreading small ones across goroutines.
func (kn *kernel[T]) strided(transA, transB bool, m, n, k int, alpha T, a []T, lda, strideA int, b []T, ldb, strideB int, beta T, c []T, ldc, strideC int, batch int, workers int) {
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	one := func(i int, w int) {
		var as, bs []T
		if k > 0 && alpha != 0 {
			as, bs = a[i*strideA:], b[i*strideB:]
		}
		kn.gemm(transA, transB, m, n, k, alpha, as, lda, bs, ldb, beta, c[i*strideC:], ldc, w)
	}
	// Products big enough to be split well run one after the other, each
	// on all workers; smaller ones are handed out whole.
	work := m * n * k
	if batch == 1 || workers <= 1 || work >= 4*minParallelWork || work*batch < minParallelWork {
		for i := range batch {
			one(i, workers)
		}
		return
	}
	t := &batchTask[T]{one: one, batch: batch}
	parallel.Run(t, min(workers, batch))
}

// batchTask runs the products of a batch, one per chunk.
type batchTask[T float] struct {
	one   func(i, workers int)
	batch int
	p     phase
}

func (t *batchTask[T]) Work() {
	for {
		i, ok := t.p.claim(t.batch)
		if !ok {
			return
		}
		t.one(i, 1)
	}
}

// scaleC sets C = beta·C, writing zeros without reading C when beta is 0.
func scaleC[T float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// serial computes the product on the calling goroutine.
func (kn *kernel[T]) serial(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	ws := kn.getWorkspace(m, n, k)
	mr, nr := kn.mr, kn.nr
	tile := ws.tile
	kc := kn.kcFor(k)
	for jc := 0; jc < n; jc += kn.nc {
		nb := min(kn.nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(transB, b, ldb, pc, jc, kb, nb, nr, ws.b, kn.asmPack)
			load, bet := beta != 0, beta
			if pc > 0 {
				load, bet = true, 1
			}
			for ic := 0; ic < m; ic += kn.mc {
				mb := min(kn.mc, m-ic)
				packA(transA, a, lda, ic, pc, mb, kb, mr, alpha, ws.a, kn.asmPack)
				kn.macro(tile, ws.a, ws.b, mb, kb, 0, nb, c[ic*ldc+jc:], ldc, bet, load)
			}
		}
	}
	kn.pool.Put(ws)
}

// macro multiplies a packed mb×kb block of op(A) by the packed micro-panels
// of op(B) covering columns [j0, j1) of the current block, updating the
// matching part of C, whose block origin is c. Edge tiles go through tile.
func (kn *kernel[T]) macro(tile, ap, bp []T, mb, kb, j0, j1 int, c []T, ldc int, beta T, load bool) {
	mr, nr := kn.mr, kn.nr
	for jr := j0; jr < j1; jr += nr {
		nrr := min(nr, j1-jr)
		bpan := bp[jr*kb : (jr+nr)*kb]
		for ir := 0; ir < mb; ir += mr {
			mrr := min(mr, mb-ir)
			apan := ap[ir*kb : (ir+mr)*kb]
			off := ir*ldc + jr
			if mrr == mr && nrr == nr {
				kn.micro(kb, apan, bpan, c[off:], ldc, beta, load)
				continue
			}
			kn.micro(kb, apan, bpan, tile, nr, 0, false)
			for i := range mrr {
				row := c[off+i*ldc : off+i*ldc+nrr]
				t := tile[i*nr : i*nr+nrr]
				if load {
					for j, v := range t {
						row[j] = v + beta*row[j]
					}
				} else {
					copy(row, t)
				}
			}
		}
	}
}
