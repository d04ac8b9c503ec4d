//go:build amd64

#include "textflag.h"

// func copyRowsAVX2(dst, src *byte, rows, ld, width int)
//
// Copies rows runs of width bytes (a multiple of 8) from src, ld bytes
// apart, to consecutive runs at dst.
TEXT ·copyRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ ld+24(FP), BX
	MOVQ width+32(FP), DX
	TESTQ CX, CX
	JZ done
row:
	XORQ AX, AX
	MOVQ DX, R8
chunk32:
	CMPQ R8, $32
	JB chunk16
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	SUBQ $32, R8
	JMP chunk32
chunk16:
	CMPQ R8, $16
	JB chunk8
	VMOVUPS (SI)(AX*1), X0
	VMOVUPS X0, (DI)(AX*1)
	ADDQ $16, AX
	SUBQ $16, R8
chunk8:
	CMPQ R8, $8
	JB next
	MOVQ (SI)(AX*1), R9
	MOVQ R9, (DI)(AX*1)
next:
	ADDQ DX, DI
	ADDQ BX, SI
	DECQ CX
	JNZ row
done:
	VZEROUPPER
	RET

// func transpose4F32(dst, src *byte, kb, ld, stride int)
//
// For 4 source rows ld bytes apart, stores element p of row i at
// dst + p*stride + 4*i, for p < kb rounded down to a multiple of 4.
TEXT ·transpose4F32(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kb+16(FP), CX
	MOVQ ld+24(FP), BX
	MOVQ stride+32(FP), DX
	LEAQ (SI)(BX*1), R8
	LEAQ (SI)(BX*2), R9
	LEAQ (R8)(BX*2), R10
	LEAQ (DX)(DX*2), R11
	SHRQ $2, CX
	JZ done32
loop32:
	VMOVUPS (SI), X0
	VMOVUPS (R8), X1
	VMOVUPS (R9), X2
	VMOVUPS (R10), X3
	VUNPCKLPS X1, X0, X4
	VUNPCKHPS X1, X0, X5
	VUNPCKLPS X3, X2, X6
	VUNPCKHPS X3, X2, X7
	VUNPCKLPD X6, X4, X0
	VUNPCKHPD X6, X4, X1
	VUNPCKLPD X7, X5, X2
	VUNPCKHPD X7, X5, X3
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(DX*1)
	VMOVUPS X2, (DI)(DX*2)
	VMOVUPS X3, (DI)(R11*1)
	ADDQ $16, SI
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	LEAQ (DI)(DX*4), DI
	DECQ CX
	JNZ loop32
done32:
	RET

// func transpose4F64(dst, src *byte, kb, ld, stride int)
//
// transpose4F32 for float64 elements: element p of row i goes to
// dst + p*stride + 8*i.
TEXT ·transpose4F64(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ kb+16(FP), CX
	MOVQ ld+24(FP), BX
	MOVQ stride+32(FP), DX
	LEAQ (SI)(BX*1), R8
	LEAQ (SI)(BX*2), R9
	LEAQ (R8)(BX*2), R10
	LEAQ (DX)(DX*2), R11
	SHRQ $2, CX
	JZ done64
loop64:
	VMOVUPD (SI), Y0
	VMOVUPD (R8), Y1
	VMOVUPD (R9), Y2
	VMOVUPD (R10), Y3
	VUNPCKLPD Y1, Y0, Y4
	VUNPCKHPD Y1, Y0, Y5
	VUNPCKLPD Y3, Y2, Y6
	VUNPCKHPD Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(DX*1)
	VMOVUPD Y2, (DI)(DX*2)
	VMOVUPD Y3, (DI)(R11*1)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	LEAQ (DI)(DX*4), DI
	DECQ CX
	JNZ loop64
done64:
	VZEROUPPER
	RET
