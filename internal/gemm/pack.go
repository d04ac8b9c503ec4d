package gemm

// packA packs the mb×kb block of alpha·op(A) starting at row ic, column pc
// into dst as consecutive micro-panels of mr rows: element (i, p) of the
// panel starting at row ir is dst[ir*kb + p*mr + i-ir]. Rows past mb are
// zero-filled so the micro-kernel can always compute whole tiles.
func packA[T float](trans bool, a []T, lda, ic, pc, mb, kb, mr int, alpha T, dst []T, asm bool) {
	for ir := 0; ir < mb; ir += mr {
		mrr := min(mr, mb-ir)
		d := dst[ir*kb : (ir+mr)*kb]
		if trans {
			// op(A)(i, p) = a[p*lda+i]: each step p reads a contiguous run.
			base := pc*lda + ic + ir
			if alpha == 1 && mrr == mr && copyPanel(d, a[base:], kb, lda, mr, asm) {
				continue
			}
			for p := range kb {
				src := a[base+p*lda:][:mrr]
				dd := d[p*mr : p*mr+mr]
				for i, v := range src {
					dd[i] = alpha * v
				}
				clear(dd[mrr:])
			}
			continue
		}
		// op(A)(i, p) = a[i*lda+p]: each row is contiguous; interleave rows.
		base := (ic+ir)*lda + pc
		i := 0
		if asm && alpha == 1 {
			_ = a[base+(mrr-1)*lda+kb-1]
			i = transposeAsm(d, a[base:], mrr, kb, lda, mr)
		}
		for ; i+4 <= mrr; i += 4 {
			r0 := a[base+i*lda:][:kb]
			r1 := a[base+(i+1)*lda:][:kb]
			r2 := a[base+(i+2)*lda:][:kb]
			r3 := a[base+(i+3)*lda:][:kb]
			for p := range kb {
				dd := d[p*mr+i:][:4]
				dd[0] = alpha * r0[p]
				dd[1] = alpha * r1[p]
				dd[2] = alpha * r2[p]
				dd[3] = alpha * r3[p]
			}
		}
		for ; i < mrr; i++ {
			r := a[base+i*lda:][:kb]
			for p, v := range r {
				d[p*mr+i] = alpha * v
			}
		}
		if mrr < mr {
			for p := range kb {
				clear(d[p*mr+mrr : p*mr+mr])
			}
		}
	}
}

// packB packs the kb×nb block of op(B) starting at row pc, column jc into
// dst as consecutive micro-panels of nr columns: element (p, j) of the panel
// starting at column jr is dst[jr*kb + p*nr + j-jr]. Columns past nb are
// zero-filled.
func packB[T float](trans bool, b []T, ldb, pc, jc, kb, nb, nr int, dst []T, asm bool) {
	for jr := 0; jr < nb; jr += nr {
		nrr := min(nr, nb-jr)
		d := dst[jr*kb : (jr+nr)*kb]
		if !trans {
			// op(B)(p, j) = b[p*ldb+j]: each step p copies a contiguous run.
			base := pc*ldb + jc + jr
			if nrr == nr && copyPanel(d, b[base:], kb, ldb, nr, asm) {
				continue
			}
			for p := range kb {
				dd := d[p*nr : p*nr+nr]
				copy(dd, b[base+p*ldb:][:nrr])
				clear(dd[nrr:])
			}
			continue
		}
		// op(B)(p, j) = b[j*ldb+p]: each column of op(B) is contiguous.
		base := (jc+jr)*ldb + pc
		j := 0
		if asm {
			_ = b[base+(nrr-1)*ldb+kb-1]
			j = transposeAsm(d, b[base:], nrr, kb, ldb, nr)
		}
		for ; j+4 <= nrr; j += 4 {
			r0 := b[base+j*ldb:][:kb]
			r1 := b[base+(j+1)*ldb:][:kb]
			r2 := b[base+(j+2)*ldb:][:kb]
			r3 := b[base+(j+3)*ldb:][:kb]
			for p := range kb {
				dd := d[p*nr+j:][:4]
				dd[0] = r0[p]
				dd[1] = r1[p]
				dd[2] = r2[p]
				dd[3] = r3[p]
			}
		}
		for ; j < nrr; j++ {
			r := b[base+j*ldb:][:kb]
			for p, v := range r {
				d[p*nr+j] = v
			}
		}
		if nrr < nr {
			for p := range kb {
				clear(d[p*nr+nrr : p*nr+nr])
			}
		}
	}
}

// copyPanel copies rows runs of w elements, src[p*ld:p*ld+w] for each row p,
// to dst[p*w:(p+1)*w], and reports whether it could (widths the fast paths
// support). asm selects the assembly routines where there are some.
func copyPanel[T float](dst, src []T, rows, ld, w int, asm bool) bool {
	if rows == 0 {
		return true
	}
	_ = src[(rows-1)*ld+w-1]
	dst = dst[:rows*w]
	if asm && copyRowsAsm(dst, src, rows, ld, w) {
		return true
	}
	switch w {
	case 4:
		for p := range rows {
			*(*[4]T)(dst[p*4:]) = *(*[4]T)(src[p*ld:])
		}
	case 8:
		for p := range rows {
			*(*[8]T)(dst[p*8:]) = *(*[8]T)(src[p*ld:])
		}
	default:
		return false
	}
	return true
}
