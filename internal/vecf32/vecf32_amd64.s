//go:build amd64

#include "textflag.h"

// Operand order is Go's: VMAXPS x, lo, dst computes dst = lo > x ? lo : x
// (Intel vmaxps dst, lo, x), which keeps a NaN x; likewise VMINPS.

// func biasClampAVX2(x *float32, n int, b, lo, hi float32)
TEXT ·biasClampAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS b+16(FP), Y0
	VBROADCASTSS lo+20(FP), Y1
	VBROADCASTSS hi+24(FP), Y2
	SHRQ $4, CX
	JZ bcdone
bcloop:
	VADDPS (DI), Y0, Y3
	VADDPS 32(DI), Y0, Y4
	VMAXPS Y3, Y1, Y3
	VMAXPS Y4, Y1, Y4
	VMINPS Y3, Y2, Y3
	VMINPS Y4, Y2, Y4
	VMOVUPS Y3, (DI)
	VMOVUPS Y4, 32(DI)
	ADDQ $64, DI
	DECQ CX
	JNZ bcloop
bcdone:
	VZEROUPPER
	RET

// func biasAddClampAVX2(x, r *float32, n int, b, lo, hi float32)
TEXT ·biasAddClampAVX2(SB), NOSPLIT, $0-36
	MOVQ x+0(FP), DI
	MOVQ r+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS b+24(FP), Y0
	VBROADCASTSS lo+28(FP), Y1
	VBROADCASTSS hi+32(FP), Y2
	SHRQ $4, CX
	JZ badone
baloop:
	VADDPS (DI), Y0, Y3
	VADDPS 32(DI), Y0, Y4
	VADDPS (SI), Y3, Y3
	VADDPS 32(SI), Y4, Y4
	VMAXPS Y3, Y1, Y3
	VMAXPS Y4, Y1, Y4
	VMINPS Y3, Y2, Y3
	VMINPS Y4, Y2, Y4
	VMOVUPS Y3, (DI)
	VMOVUPS Y4, 32(DI)
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ CX
	JNZ baloop
badone:
	VZEROUPPER
	RET

// masks holds eight all-ones then eight zero dwords: the eight dwords
// starting at masks+4·(8-r) select the first r lanes.
DATA masks<>+0(SB)/8, $0xffffffffffffffff
DATA masks<>+8(SB)/8, $0xffffffffffffffff
DATA masks<>+16(SB)/8, $0xffffffffffffffff
DATA masks<>+24(SB)/8, $0xffffffffffffffff
DATA masks<>+32(SB)/8, $0
DATA masks<>+40(SB)/8, $0
DATA masks<>+48(SB)/8, $0
DATA masks<>+56(SB)/8, $0
GLOBL masks<>(SB), RODATA|NOPTR, $64

// func tap9AVX2(d *float32, n int, s *[9]unsafe.Pointer, w *[9]float32, b, lo, hi float32)
//
// Two halves of 8 outputs per iteration, each summed in two chains (taps
// 0–4 from the bias, taps 5–8 from zero) to halve the FMA latency chain;
// then one block of 8 and a masked block for the last n%8 outputs.
TEXT ·tap9AVX2(SB), NOSPLIT, $0-44
	MOVQ s+16(FP), AX
	MOVQ 0(AX), R8
	MOVQ 8(AX), R9
	MOVQ 16(AX), R10
	MOVQ 24(AX), R11
	MOVQ 32(AX), R12
	MOVQ 40(AX), R13
	MOVQ 48(AX), BX
	MOVQ 56(AX), SI
	MOVQ 64(AX), DX
	MOVQ w+24(FP), AX
	VBROADCASTSS 0(AX), Y0
	VBROADCASTSS 4(AX), Y1
	VBROADCASTSS 8(AX), Y2
	VBROADCASTSS 12(AX), Y3
	VBROADCASTSS 16(AX), Y4
	VBROADCASTSS 20(AX), Y5
	VBROADCASTSS 24(AX), Y6
	VBROADCASTSS 28(AX), Y7
	VBROADCASTSS 32(AX), Y8
	VBROADCASTSS b+32(FP), Y9
	VBROADCASTSS lo+36(FP), Y10
	VBROADCASTSS hi+40(FP), Y11
	MOVQ d+0(FP), DI
	MOVQ n+8(FP), CX
	XORQ AX, AX
	SUBQ $16, CX
	JLT t8
tloop:
	VMOVAPS Y9, Y12
	VMOVAPS Y9, Y13
	VMULPS (SI)(AX*4), Y7, Y14
	VMULPS 32(SI)(AX*4), Y7, Y15
	VFMADD231PS (R8)(AX*4), Y0, Y12
	VFMADD231PS 32(R8)(AX*4), Y0, Y13
	VFMADD231PS (DX)(AX*4), Y8, Y14
	VFMADD231PS 32(DX)(AX*4), Y8, Y15
	VFMADD231PS (R9)(AX*4), Y1, Y12
	VFMADD231PS 32(R9)(AX*4), Y1, Y13
	VFMADD231PS (BX)(AX*4), Y6, Y14
	VFMADD231PS 32(BX)(AX*4), Y6, Y15
	VFMADD231PS (R10)(AX*4), Y2, Y12
	VFMADD231PS 32(R10)(AX*4), Y2, Y13
	VFMADD231PS (R13)(AX*4), Y5, Y14
	VFMADD231PS 32(R13)(AX*4), Y5, Y15
	VFMADD231PS (R11)(AX*4), Y3, Y12
	VFMADD231PS 32(R11)(AX*4), Y3, Y13
	VFMADD231PS (R12)(AX*4), Y4, Y12
	VFMADD231PS 32(R12)(AX*4), Y4, Y13
	VADDPS Y14, Y12, Y12
	VADDPS Y15, Y13, Y13
	VMAXPS Y12, Y10, Y12
	VMAXPS Y13, Y10, Y13
	VMINPS Y12, Y11, Y12
	VMINPS Y13, Y11, Y13
	VMOVUPS Y12, (DI)(AX*4)
	VMOVUPS Y13, 32(DI)(AX*4)
	ADDQ $16, AX
	SUBQ $16, CX
	JGE tloop
t8:
	ADDQ $16, CX // CX = outputs left, 0..15
	CMPQ CX, $8
	JLT tmask
	VMOVAPS Y9, Y12
	VMULPS (SI)(AX*4), Y7, Y14
	VFMADD231PS (R8)(AX*4), Y0, Y12
	VFMADD231PS (DX)(AX*4), Y8, Y14
	VFMADD231PS (R9)(AX*4), Y1, Y12
	VFMADD231PS (BX)(AX*4), Y6, Y14
	VFMADD231PS (R10)(AX*4), Y2, Y12
	VFMADD231PS (R13)(AX*4), Y5, Y14
	VFMADD231PS (R11)(AX*4), Y3, Y12
	VFMADD231PS (R12)(AX*4), Y4, Y12
	VADDPS Y14, Y12, Y12
	VMAXPS Y12, Y10, Y12
	VMINPS Y12, Y11, Y12
	VMOVUPS Y12, (DI)(AX*4)
	ADDQ $8, AX
	SUBQ $8, CX
tmask:
	TESTQ CX, CX
	JZ tdone
	// Y13 = mask of the first CX lanes; masked loads read zeros elsewhere
	// and never touch memory past the rows.
	LEAQ masks<>(SB), R14
	NEGQ CX
	LEAQ 32(R14)(CX*4), R14
	VMOVDQU (R14), Y13
	VMOVAPS Y9, Y12
	VXORPS Y14, Y14, Y14
	VMASKMOVPS (R8)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y0, Y12
	VMASKMOVPS (R9)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y1, Y14
	VMASKMOVPS (R10)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y2, Y12
	VMASKMOVPS (R11)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y3, Y14
	VMASKMOVPS (R12)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y4, Y12
	VMASKMOVPS (R13)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y5, Y14
	VMASKMOVPS (BX)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y6, Y12
	VMASKMOVPS (SI)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y7, Y14
	VMASKMOVPS (DX)(AX*4), Y13, Y15
	VFMADD231PS Y15, Y8, Y12
	VADDPS Y14, Y12, Y12
	VMAXPS Y12, Y10, Y12
	VMINPS Y12, Y11, Y12
	VMASKMOVPS Y12, Y13, (DI)(AX*4)
tdone:
	VZEROUPPER
	RET

// func maxIntoAVX2(d, s *float32, n int)
//
// d = max(d, s) lane by lane, a NaN in either winning: VMAXPS keeps its
// second source's NaN, the blend puts back the first's.
TEXT ·maxIntoAVX2(SB), NOSPLIT, $0-24
	MOVQ d+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ mxdone
mxloop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMAXPS (SI), Y0, Y2
	VMAXPS 32(SI), Y1, Y3
	VCMPPS $3, Y0, Y0, Y4
	VCMPPS $3, Y1, Y1, Y5
	VBLENDVPS Y4, Y0, Y2, Y2
	VBLENDVPS Y5, Y1, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ CX
	JNZ mxloop
mxdone:
	VZEROUPPER
	RET

// func deinterleaveAVX2(even, odd, src *float32, n int)
//
// n (a multiple of 16) source elements; even[j] = src[2j], odd[j] =
// src[2j+1]. VSHUFPS picks the even (odd) lanes of each 128-bit half of a
// pair of vectors; VPERMPD puts the four pairs back in order.
TEXT ·deinterleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $4, CX
	JZ didone
diloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (DX)
	ADDQ $64, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ diloop
didone:
	VZEROUPPER
	RET
