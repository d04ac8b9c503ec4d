package gemm

import (
	"runtime"
	"sync/atomic"

	"github.com/optnet-go/optnet/internal/parallel"
)

// phase hands out the chunks of one step of a task.
type phase struct {
	next, done atomic.Int32
	_          [56]byte // keep phases on separate cache lines
}

// claim returns the next unclaimed chunk, or false when all are taken.
func (p *phase) claim(total int) (int, bool) {
	c := int(p.next.Add(1)) - 1
	return c, c < total
}

// wait returns once total chunks are done.
func (p *phase) wait(total int) {
	for int(p.done.Load()) < total {
		runtime.Gosched()
	}
}

// gemmTask is one product split across goroutines. For every block of
// kc×nc of op(B) the participants first pack it together into a shared
// buffer, then compute the C blocks in chunks of mcEff rows by a range of
// micro-panels of columns, each packing its own block of op(A).
type gemmTask[T float] struct {
	kn             *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha, beta    T
	a, b, c        []T
	lda, ldb, ldc  int

	mcEff   int // rows of a chunk
	jrParts int // column ranges per row block
	bGroups int // chunks of the B packing
	bpack   []T
	phases  []phase
}

func (t *gemmTask[T]) Work() {
	kn := t.kn
	mr, nr := kn.mr, kn.nr
	ws := kn.getWorkspace(t.mcEff, 0, t.k)
	mBlocks := (t.m + t.mcEff - 1) / t.mcEff
	lastA := -1
	step := 0
	kc := kn.kcFor(t.k)
	for jc := 0; jc < t.n; jc += kn.nc {
		nb := min(kn.nc, t.n-jc)
		panels := (nb + nr - 1) / nr
		for pc := 0; pc < t.k; pc += kc {
			kb := min(kc, t.k-pc)
			ph := &t.phases[2*step]
			groups := min(t.bGroups, panels)
			for {
				g, ok := ph.claim(groups)
				if !ok {
					break
				}
				p0, p1 := panels*g/groups, panels*(g+1)/groups
				packB(t.transB, t.b, t.ldb, pc, jc+p0*nr, kb, min(nb, p1*nr)-p0*nr, nr, t.bpack[p0*nr*kb:], kn.asmPack)
				ph.done.Add(1)
			}
			ph.wait(groups)

			load, bet := t.beta != 0, t.beta
			if pc > 0 {
				load, bet = true, 1
			}
			ph = &t.phases[2*step+1]
			parts := min(t.jrParts, panels)
			chunks := mBlocks * parts
			for {
				ch, ok := ph.claim(chunks)
				if !ok {
					break
				}
				ib, jp := ch/parts, ch%parts
				ic := ib * t.mcEff
				mb := min(t.mcEff, t.m-ic)
				if key := step*mBlocks + ib; key != lastA {
					packA(t.transA, t.a, t.lda, ic, pc, mb, kb, mr, t.alpha, ws.a, kn.asmPack)
					lastA = key
				}
				q0, q1 := panels*jp/parts, panels*(jp+1)/parts
				kn.macro(ws.tile, ws.a, t.bpack, mb, kb, q0*nr, min(nb, q1*nr), t.c[ic*t.ldc+jc:], t.ldc, bet, load)
				ph.done.Add(1)
			}
			ph.wait(chunks)
			step++
		}
	}
	kn.pool.Put(ws)
}

// parallel computes the product with up to workers goroutines.
func (kn *kernel[T]) parallel(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int, workers int) {
	t := &gemmTask[T]{
		kn: kn, transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, beta: beta, a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc,
	}
	// Aim for a few chunks per worker so that a late helper or a busy core
	// does not leave the others waiting; split rows first (no duplicated
	// packing), then columns.
	want := 4 * workers
	t.mcEff = min(kn.mc, max(2*kn.mr, roundUp((m+want-1)/want, kn.mr)))
	mBlocks := (m + t.mcEff - 1) / t.mcEff
	t.jrParts = max(1, (want+mBlocks-1)/mBlocks)
	t.bGroups = 2 * workers
	steps := ((n + kn.nc - 1) / kn.nc) * ((k + kn.kc - 1) / kn.kc)
	t.phases = make([]phase, 2*steps)
	ws := kn.getWorkspace(0, n, k)
	t.bpack = ws.b
	parallel.Run(t, workers)
	kn.pool.Put(ws)
}
