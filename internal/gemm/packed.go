package gemm

// Products with a left operand packed once: the weights of a convolution or
// a dense layer are constant across runs, so packing them for the
// micro-kernel at compile time saves that work on every run. The right
// operand is supplied by the caller block by block, already in packed
// layout, so that a convolution can write its im2col columns (or a 1×1
// convolution its input rows) straight into the panels the micro-kernel
// reads, with no intermediate column matrix.

// PackedA is a matrix op(A) (m×k) packed for the micro-kernel of this
// machine. It is immutable and safe for concurrent use.
type PackedA[T float32 | float64] struct {
	kn   *kernel[T]
	m, k int
	kc   int // depth of the k blocks
	mp   int // m rounded up to the micro-tile height
	// data holds, for each k block in order, mp rows as micro-panels of mr
	// rows (the layout packA produces).
	data []T
}

// PackA32 packs the float32 matrix op(A), m×k (A stored m×k, or k×m when
// transA, with leading dimension lda), for MulCols. On AVX-512 machines it
// uses 8-row tiles instead of the default 12-row ones when that pads fewer
// rows (m = 16, 32, 64, …).
func PackA32(transA bool, m, k int, a []float32, lda int) *PackedA[float32] {
	return newPackedA(packKernel32(m), transA, m, k, a, lda)
}

// PackA64 is the float64 version of PackA32.
func PackA64(transA bool, m, k int, a []float64, lda int) *PackedA[float64] {
	return newPackedA(kernel64, transA, m, k, a, lda)
}

func newPackedA[T float32 | float64](kn *kernel[T], transA bool, m, k int, a []T, lda int) *PackedA[T] {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	checkMat("PackA", "A", ar, ac, len(a), lda)
	if m <= 0 || k <= 0 {
		panic("gemm: PackA: empty matrix")
	}
	p := &PackedA[T]{kn: kn, m: m, k: k, kc: kn.kcFor(k), mp: roundUp(m, kn.mr)}
	p.data = make([]T, p.mp*k)
	for pc := 0; pc < k; pc += p.kc {
		kb := min(p.kc, k-pc)
		packA(transA, a, lda, 0, pc, m, kb, kn.mr, 1, p.data[pc*p.mp:], kn.asmPack)
	}
	return p
}

// Rows returns m, the number of rows of op(A).
func (p *PackedA[T]) Rows() int { return p.m }

// Depth returns k, the number of columns of op(A).
func (p *PackedA[T]) Depth() int { return p.k }

// MR returns the micro-tile height: row ranges passed to MulCols start at a
// multiple of it.
func (p *PackedA[T]) MR() int { return p.kn.mr }

// NR returns the panel width of the packed right operand.
func (p *PackedA[T]) NR() int { return p.kn.nr }

// KC returns the depth of the blocks in which MulCols asks for the right
// operand: block b covers rows [b·KC, min(k, (b+1)·KC)).
func (p *PackedA[T]) KC() int { return p.kc }

// BSize returns the number of elements of the scratch buffer that MulCols
// needs for nb columns.
func (p *PackedA[T]) BSize(nb int) int { return roundUp(nb, p.kn.nr)*p.kc + p.kn.mr*p.kn.nr }

// MulCols computes rows [r0, r1) of C = op(A)·B for nb columns, where B
// (k×nb) is supplied one k block at a time: fill(dst, p0, kb) must write
// rows [p0, p0+kb) of B into dst in panel layout, element (p, j) at
// dst[(j/NR)·kb·NR + (p-p0)·NR + j%NR], with the padding columns nb…
// roundUp(nb, NR) set to zero. buf is scratch space of at least BSize(nb)
// elements. Row r of the result is written to c[(r-r0)·ldc : (r-r0)·ldc+nb];
// when acc is set it is added to what c holds instead. r0 must be a
// multiple of MR. MulCols runs on the calling goroutine only; callers run
// disjoint blocks of C in parallel.
func (p *PackedA[T]) MulCols(r0, r1, nb int, fill func(dst []T, p0, kb int), buf []T, c []T, ldc int, acc bool) {
	kn := p.kn
	mr, nr := kn.mr, kn.nr
	if r0 < 0 || r1 > p.m || r0 > r1 || r0%mr != 0 || nb < 0 {
		panic("gemm: MulCols: bad row range or width")
	}
	if r0 == r1 || nb == 0 {
		return
	}
	nbp := roundUp(nb, nr)
	if len(buf) < p.BSize(nb) {
		panic("gemm: MulCols: buffer too short")
	}
	checkMat("MulCols", "C", r1-r0, nb, len(c), ldc)
	tile := buf[nbp*p.kc:][:mr*nr]
	mc := kn.mc
	for pc := 0; pc < p.k; pc += p.kc {
		kb := min(p.kc, p.k-pc)
		bp := buf[:nbp*kb]
		fill(bp, pc, kb)
		ap := p.data[pc*p.mp:]
		load := acc || pc > 0
		for ic := r0; ic < r1; ic += mc {
			ie := min(r1, ic+mc)
			kn.macro(tile, ap[ic*kb:], bp, ie-ic, kb, 0, nb, c[(ic-r0)*ldc:], ldc, 1, load)
		}
	}
}

// PackB writes rows [p0, p0+kb) and columns [j0, j0+nb) of the row-major
// matrix b (leading dimension ldb) into dst in the panel layout MulCols
// asks for: a fill function for a right operand that is already a matrix.
func (p *PackedA[T]) PackB(dst, b []T, ldb, p0, kb, j0, nb int) {
	packB(false, b, ldb, p0, j0, kb, nb, p.kn.nr, dst, p.kn.asmPack)
}

// PackRow writes row r (counted from the top of the block) of a block of
// depth kb, nb = len(row) values, into dst in the panel layout MulCols asks
// for, zero-filling the padding of the last panel.
func (p *PackedA[T]) PackRow(dst []T, kb, r int, row []T) {
	nr := p.kn.nr
	nb := len(row)
	j := 0
	d := dst[r*nr:]
	step := kb * nr
	switch nr {
	case 32:
		for ; j+32 <= nb; j += 32 {
			*(*[32]T)(d) = *(*[32]T)(row[j:])
			d = d[min(step, len(d)):]
		}
	case 16:
		for ; j+16 <= nb; j += 16 {
			*(*[16]T)(d) = *(*[16]T)(row[j:])
			d = d[min(step, len(d)):]
		}
	default:
		for ; j+nr <= nb; j += nr {
			copy(d[:nr], row[j:j+nr])
			d = d[min(step, len(d)):]
		}
	}
	if j < nb {
		n := copy(d[:nb-j], row[j:])
		clear(d[n:nr])
	}
}

// CanMulOffsets reports whether MulOffsets is available for this packing
// (float32 with the AVX-512 micro-kernel).
func (p *PackedA[T]) CanMulOffsets() bool {
	p32, ok := any(p).(*PackedA[float32])
	return ok && offsetMicro(p32.kn) != nil
}

// OffsetsScratch returns the scratch MulOffsets needs (elements).
func (p *PackedA[T]) OffsetsScratch() int { return p.kn.mr*p.kn.nr + p.kc*p.kn.nr }

// MulOffsets is MulCols with the right operand read in place instead of
// packed: element (q, j) of B is b[boff[q]+j]. A convolution uses it with
// b its zero-padded input image and boff the offset of each (channel,
// kernel offset) row, so that there is no im2col at all. The micro-kernel
// reads whole panels of NR columns; a last, partial panel whose reads
// would run past the end of b is packed first (zero-padded) instead.
// tile is scratch of at least OffsetsScratch elements. It panics unless
// CanMulOffsets.
func (p *PackedA[T]) MulOffsets(r0, r1, nb int, b []T, boff []int32, tile []T, c []T, ldc int, acc bool) {
	p32 := any(p).(*PackedA[float32])
	micro := offsetMicro(p32.kn)
	bs, ts, cs := any(b).([]float32), any(tile).([]float32), any(c).([]float32)
	kn := p32.kn
	mr, nr := kn.mr, kn.nr
	if r0 < 0 || r1 > p.m || r0 > r1 || r0%mr != 0 || nb < 0 || len(boff) != p.k {
		panic("gemm: MulOffsets: bad row range, width or offsets")
	}
	if r0 == r1 || nb == 0 {
		return
	}
	checkMat("MulOffsets", "C", r1-r0, nb, len(cs), ldc)
	maxOff := int32(0)
	for _, o := range boff {
		if o < 0 {
			panic("gemm: MulOffsets: negative offset")
		}
		maxOff = max(maxOff, o)
	}
	if int(maxOff)+nb > len(bs) {
		panic("gemm: MulOffsets: b too short for the offsets")
	}
	// Panels starting at or after safe may not read nr values in place.
	safe := nb
	if int(maxOff)+roundUp(nb, nr) > len(bs) {
		safe = nb - nb%nr
	}
	if len(ts) < p.OffsetsScratch() {
		panic("gemm: MulOffsets: scratch too short")
	}
	tl := ts[:mr*nr]
	bp := ts[mr*nr:]
	for pc := 0; pc < p.k; pc += p.kc {
		kb := min(p.kc, p.k-pc)
		ap := p32.data[pc*p.mp:]
		offs := boff[pc : pc+kb]
		load := acc || pc > 0
		for jr := 0; jr < nb; jr += nr {
			nrr := min(nr, nb-jr)
			packed := jr >= safe
			if packed {
				// Pack the last panel: step q's nrr values, zero-padded.
				for q, o := range offs {
					d := bp[q*nr : (q+1)*nr]
					copy(d, bs[int(o)+jr:int(o)+jr+nrr])
					clear(d[nrr:])
				}
			}
			for ir := r0; ir < r1; ir += mr {
				mrr := min(mr, r1-ir)
				apan := ap[ir*kb : (ir+mr)*kb]
				off := (ir-r0)*ldc + jr
				full := mrr == mr && nrr == nr
				dst, ld, beta, ld1 := cs[off:], ldc, float32(1), load
				if !full {
					dst, ld, beta, ld1 = tl, nr, 0, false
				}
				if packed {
					kn.micro(kb, apan, bp, dst, ld, beta, ld1)
				} else {
					micro(kb, apan, bs[jr:], offs, dst, ld, beta, ld1)
				}
				if full {
					continue
				}
				for i := range mrr {
					row := cs[off+i*ldc : off+i*ldc+nrr]
					t := tl[i*nr : i*nr+nrr]
					if load {
						for j, v := range t {
							row[j] += v
						}
					} else {
						copy(row, t)
					}
				}
			}
		}
	}
}
