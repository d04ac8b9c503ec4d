//go:build amd64

#include "textflag.h"

// func adam32AVX(p, g, m, v []float32, c *adam32Args)
// For each i (len(p) a multiple of 8), in float32 and in the scalar loop's
// order of operations (adam32):
//   g' = g*gs + wd*p
//   m  = b1*m + a1*g'
//   v  = b2*v + (a2*g')*g'
//   p  = p*decay - (step*m) / (sqrt(v)*isc2 + eps)
TEXT ·adam32AVX(SB), NOSPLIT, $0-104
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ c+96(FP), AX
	VBROADCASTSS 0(AX), Y6   // gs
	VBROADCASTSS 4(AX), Y7   // wd
	VBROADCASTSS 8(AX), Y8   // b1
	VBROADCASTSS 12(AX), Y9  // a1
	VBROADCASTSS 16(AX), Y10 // b2
	VBROADCASTSS 20(AX), Y11 // a2
	VBROADCASTSS 24(AX), Y12 // isc2
	VBROADCASTSS 28(AX), Y13 // eps
	VBROADCASTSS 32(AX), Y14 // step
	VBROADCASTSS 36(AX), Y15 // decay
	XORQ BX, BX

loop:
	CMPQ BX, CX
	JGE  done
	VMOVUPS (SI)(BX*4), Y0
	VMOVUPS (DI)(BX*4), Y1
	VMULPS  Y6, Y0, Y0
	VMULPS  Y7, Y1, Y4
	VADDPS  Y4, Y0, Y0
	VMOVUPS (R8)(BX*4), Y2
	VMULPS  Y8, Y2, Y2
	VMULPS  Y9, Y0, Y4
	VADDPS  Y4, Y2, Y2
	VMOVUPS Y2, (R8)(BX*4)
	VMOVUPS (R9)(BX*4), Y3
	VMULPS  Y10, Y3, Y3
	VMULPS  Y11, Y0, Y4
	VMULPS  Y0, Y4, Y4
	VADDPS  Y4, Y3, Y3
	VMOVUPS Y3, (R9)(BX*4)
	VSQRTPS Y3, Y3
	VMULPS  Y12, Y3, Y3
	VADDPS  Y13, Y3, Y3
	VMULPS  Y14, Y2, Y2
	VDIVPS  Y3, Y2, Y2
	VMULPS  Y15, Y1, Y1
	VSUBPS  Y2, Y1, Y1
	VMOVUPS Y1, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     loop

done:
	VZEROUPPER
	RET

// func adam64AVX(p, g, m, v []float64, c *adam64Args)
// adam32AVX in float64, 4 lanes (len(p) a multiple of 4).
TEXT ·adam64AVX(SB), NOSPLIT, $0-104
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ c+96(FP), AX
	VBROADCASTSD 0(AX), Y6   // gs
	VBROADCASTSD 8(AX), Y7   // wd
	VBROADCASTSD 16(AX), Y8  // b1
	VBROADCASTSD 24(AX), Y9  // a1
	VBROADCASTSD 32(AX), Y10 // b2
	VBROADCASTSD 40(AX), Y11 // a2
	VBROADCASTSD 48(AX), Y12 // isc2
	VBROADCASTSD 56(AX), Y13 // eps
	VBROADCASTSD 64(AX), Y14 // step
	VBROADCASTSD 72(AX), Y15 // decay
	XORQ BX, BX

loop64:
	CMPQ BX, CX
	JGE  done64
	VMOVUPD (SI)(BX*8), Y0
	VMOVUPD (DI)(BX*8), Y1
	VMULPD  Y6, Y0, Y0
	VMULPD  Y7, Y1, Y4
	VADDPD  Y4, Y0, Y0
	VMOVUPD (R8)(BX*8), Y2
	VMULPD  Y8, Y2, Y2
	VMULPD  Y9, Y0, Y4
	VADDPD  Y4, Y2, Y2
	VMOVUPD Y2, (R8)(BX*8)
	VMOVUPD (R9)(BX*8), Y3
	VMULPD  Y10, Y3, Y3
	VMULPD  Y11, Y0, Y4
	VMULPD  Y0, Y4, Y4
	VADDPD  Y4, Y3, Y3
	VMOVUPD Y3, (R9)(BX*8)
	VSQRTPD Y3, Y3
	VMULPD  Y12, Y3, Y3
	VADDPD  Y13, Y3, Y3
	VMULPD  Y14, Y2, Y2
	VDIVPD  Y3, Y2, Y2
	VMULPD  Y15, Y1, Y1
	VSUBPD  Y2, Y1, Y1
	VMOVUPD Y1, (DI)(BX*8)
	ADDQ    $4, BX
	JMP     loop64

done64:
	VZEROUPPER
	RET
