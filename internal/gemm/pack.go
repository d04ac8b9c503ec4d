package gemm

// packA packs the mb×kb block of alpha·op(A) starting at row ic, column pc
// into dst as consecutive micro-panels of mr rows: element (i, p) of the
// panel starting at row ir is dst[ir*kb + p*mr + i-ir]. Rows past mb are
// zero-filled so the micro-kernel can always compute whole tiles.
func packA[T float](trans bool, a []T, lda, ic, pc, mb, kb, mr int, alpha T, dst []T) {
	for ir := 0; ir < mb; ir += mr {
		mrr := min(mr, mb-ir)
		d := dst[ir*kb : (ir+mr)*kb]
		if trans {
			// op(A)(i, p) = a[p*lda+i]: each step p reads a contiguous run.
			base := pc*lda + ic + ir
			for p := range kb {
				src := a[base+p*lda:][:mrr]
				dd := d[p*mr : p*mr+mr]
				if alpha == 1 {
					copy(dd, src)
				} else {
					for i, v := range src {
						dd[i] = alpha * v
					}
				}
				clear(dd[mrr:])
			}
			continue
		}
		// op(A)(i, p) = a[i*lda+p]: each row is contiguous; interleave rows.
		base := (ic+ir)*lda + pc
		i := 0
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
func packB[T float](trans bool, b []T, ldb, pc, jc, kb, nb, nr int, dst []T) {
	for jr := 0; jr < nb; jr += nr {
		nrr := min(nr, nb-jr)
		d := dst[jr*kb : (jr+nr)*kb]
		if !trans {
			// op(B)(p, j) = b[p*ldb+j]: each step p copies a contiguous run.
			base := pc*ldb + jc + jr
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
