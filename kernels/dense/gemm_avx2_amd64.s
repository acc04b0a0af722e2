//go:build amd64 && gc && !purego

// AVX2+FMA3 matrix micro-kernel: see gemmAVX2 in dense_amd64.go.
//
// One call computes mr rows of C across n columns, panel by panel (8
// columns, two ymm per row). Per panel, the k loop loads the panel's row p
// of B into Y0:Y1, broadcasts A[i][p] for each row i (alternately into Y2
// and Y3) and accumulates with VFMADD231PD into Y4..Y15 (two per row); then
// the accumulators are added to (beta = 1) or stored into (beta = 0) C,
// with VMASKMOVPD under the masks Y0:Y1 in a last partial panel. B is read
// in whole panels.
//
// Registers: SI, DI  A at rows 0 and 4 of the tile, column p
//            R8, R9  rsA, 3·rsA (bytes); R10 csA (bytes)
//            BX      B at row p of the panel; R11 rsB (bytes)
//            DX      C at row 0 of the panel; R12 ldc (bytes)
//            R13     columns left; CX k counter; AX scratch
// The arguments b and psB are rewritten: b to the current panel, psB to
// bytes.

#include "textflag.h"

// masks<>: eight all-ones lanes, then eight zero lanes; the 8 lanes from
// index 8−r on are the mask of the first r columns.
DATA masks<>+0x00(SB)/8, $-1
DATA masks<>+0x08(SB)/8, $-1
DATA masks<>+0x10(SB)/8, $-1
DATA masks<>+0x18(SB)/8, $-1
DATA masks<>+0x20(SB)/8, $-1
DATA masks<>+0x28(SB)/8, $-1
DATA masks<>+0x30(SB)/8, $-1
DATA masks<>+0x38(SB)/8, $-1
DATA masks<>+0x40(SB)/8, $0
DATA masks<>+0x48(SB)/8, $0
DATA masks<>+0x50(SB)/8, $0
DATA masks<>+0x58(SB)/8, $0
DATA masks<>+0x60(SB)/8, $0
DATA masks<>+0x68(SB)/8, $0
DATA masks<>+0x70(SB)/8, $0
DATA masks<>+0x78(SB)/8, $0
GLOBL masks<>(SB), RODATA|NOPTR, $128

// One k step for 6, 4, 2 or 1 rows: broadcast A and accumulate, then step
// A and B on to p+1.
#define STEP6 \
	VBROADCASTSD (SI), Y2 \
	VFMADD231PD  Y0, Y2, Y4 \
	VFMADD231PD  Y1, Y2, Y5 \
	VBROADCASTSD (SI)(R8*1), Y3 \
	VFMADD231PD  Y0, Y3, Y6 \
	VFMADD231PD  Y1, Y3, Y7 \
	VBROADCASTSD (SI)(R8*2), Y2 \
	VFMADD231PD  Y0, Y2, Y8 \
	VFMADD231PD  Y1, Y2, Y9 \
	VBROADCASTSD (SI)(R9*1), Y3 \
	VFMADD231PD  Y0, Y3, Y10 \
	VFMADD231PD  Y1, Y3, Y11 \
	VBROADCASTSD (DI), Y2 \
	VFMADD231PD  Y0, Y2, Y12 \
	VFMADD231PD  Y1, Y2, Y13 \
	VBROADCASTSD (DI)(R8*1), Y3 \
	VFMADD231PD  Y0, Y3, Y14 \
	VFMADD231PD  Y1, Y3, Y15 \
	ADDQ         R10, SI \
	ADDQ         R10, DI \
	ADDQ         R11, BX

#define STEP4 \
	VBROADCASTSD (SI), Y2 \
	VFMADD231PD  Y0, Y2, Y4 \
	VFMADD231PD  Y1, Y2, Y5 \
	VBROADCASTSD (SI)(R8*1), Y3 \
	VFMADD231PD  Y0, Y3, Y6 \
	VFMADD231PD  Y1, Y3, Y7 \
	VBROADCASTSD (SI)(R8*2), Y2 \
	VFMADD231PD  Y0, Y2, Y8 \
	VFMADD231PD  Y1, Y2, Y9 \
	VBROADCASTSD (SI)(R9*1), Y3 \
	VFMADD231PD  Y0, Y3, Y10 \
	VFMADD231PD  Y1, Y3, Y11 \
	ADDQ         R10, SI \
	ADDQ         R11, BX

#define STEP2 \
	VBROADCASTSD (SI), Y2 \
	VFMADD231PD  Y0, Y2, Y4 \
	VFMADD231PD  Y1, Y2, Y5 \
	VBROADCASTSD (SI)(R8*1), Y3 \
	VFMADD231PD  Y0, Y3, Y6 \
	VFMADD231PD  Y1, Y3, Y7 \
	ADDQ         R10, SI \
	ADDQ         R11, BX

#define STEP1 \
	VBROADCASTSD (SI), Y2 \
	VFMADD231PD  Y0, Y2, Y4 \
	VFMADD231PD  Y1, Y2, Y5 \
	ADDQ         R10, SI \
	ADDQ         R11, BX

// PANEL sets up a panel: A and B at p = 0, CX = k.
#define PANEL \
	MOVQ a+24(FP), SI \
	LEAQ (SI)(R8*4), DI \
	MOVQ b+48(FP), BX \
	MOVQ k+8(FP), CX

// MASKS loads the masks of the first R13 < 8 columns into Y0:Y1.
#define MASKS \
	MOVQ    $8, CX \
	SUBQ    R13, CX \
	LEAQ    masks<>(SB), AX \
	VMOVDQU (AX)(CX*8), Y0 \
	VMOVDQU 32(AX)(CX*8), Y1

// Write one row of accumulators (acc0: columns 0-3, acc1: 4-7) to C at AX
// and step AX to the next row, whole or under the masks. With beta = 1,
// ADDC adds C to every row of the tile before PUT stores any: C's rows may
// be closer than 8 columns apart, and a load overlapping an earlier masked
// store would wait for it.
#define ADDC(acc0, acc1) \
	VADDPD (AX), acc0, acc0 \
	VADDPD 32(AX), acc1, acc1 \
	ADDQ   R12, AX

#define PUT(acc0, acc1) \
	VMOVUPD acc0, (AX) \
	VMOVUPD acc1, 32(AX) \
	ADDQ    R12, AX

#define ADDCM(acc0, acc1) \
	VMASKMOVPD (AX), Y0, Y2 \
	VMASKMOVPD 32(AX), Y1, Y3 \
	VADDPD     Y2, acc0, acc0 \
	VADDPD     Y3, acc1, acc1 \
	ADDQ       R12, AX

#define PUTM(acc0, acc1) \
	VMASKMOVPD acc0, Y0, (AX) \
	VMASKMOVPD acc1, Y1, 32(AX) \
	ADDQ       R12, AX

// NEXT moves on to the next panel (flags: columns left > 0).
#define NEXT \
	ADDQ $64, DX \
	MOVQ psB+64(FP), AX \
	ADDQ AX, b+48(FP) \
	SUBQ $8, R13

// func gemmAVX2(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)
TEXT ·gemmAVX2(SB), NOSPLIT, $0-96
	MOVQ rsA+32(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	MOVQ csA+40(FP), R10
	SHLQ $3, R10
	MOVQ rsB+56(FP), R11
	SHLQ $3, R11
	MOVQ psB+64(FP), AX
	SHLQ $3, AX
	MOVQ AX, psB+64(FP)
	MOVQ ldc+80(FP), R12
	SHLQ $3, R12
	MOVQ c+72(FP), DX
	MOVQ n+16(FP), R13
	MOVQ mr+0(FP), AX
	CMPQ AX, $6
	JEQ  rows6
	CMPQ AX, $4
	JEQ  rows4
	CMPQ AX, $2
	JEQ  rows2
	JMP  rows1

rows6:
	PANEL
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12
	VXORPD Y13, Y13, Y13
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15

rows6loop:
	VMOVUPD (BX), Y0
	VMOVUPD 32(BX), Y1
	STEP6
	DECQ CX
	JNZ  rows6loop
	CMPQ R13, $8
	JLT  rows6mask
	CMPQ beta+88(FP), $0
	JEQ  rows6put0
	MOVQ DX, AX
	ADDC(Y4, Y5)
	ADDC(Y6, Y7)
	ADDC(Y8, Y9)
	ADDC(Y10, Y11)
	ADDC(Y12, Y13)
	ADDC(Y14, Y15)

rows6put0:
	MOVQ DX, AX
	PUT(Y4, Y5)
	PUT(Y6, Y7)
	PUT(Y8, Y9)
	PUT(Y10, Y11)
	PUT(Y12, Y13)
	PUT(Y14, Y15)
	JMP  rows6next

rows6mask:
	MASKS
	CMPQ beta+88(FP), $0
	JEQ  rows6mask0
	MOVQ DX, AX
	ADDCM(Y4, Y5)
	ADDCM(Y6, Y7)
	ADDCM(Y8, Y9)
	ADDCM(Y10, Y11)
	ADDCM(Y12, Y13)
	ADDCM(Y14, Y15)

rows6mask0:
	MOVQ DX, AX
	PUTM(Y4, Y5)
	PUTM(Y6, Y7)
	PUTM(Y8, Y9)
	PUTM(Y10, Y11)
	PUTM(Y12, Y13)
	PUTM(Y14, Y15)

rows6next:
	NEXT
	JGT rows6
	VZEROUPPER
	RET

rows4:
	PANEL
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11

rows4loop:
	VMOVUPD (BX), Y0
	VMOVUPD 32(BX), Y1
	STEP4
	DECQ CX
	JNZ  rows4loop
	CMPQ R13, $8
	JLT  rows4mask
	CMPQ beta+88(FP), $0
	JEQ  rows4put0
	MOVQ DX, AX
	ADDC(Y4, Y5)
	ADDC(Y6, Y7)
	ADDC(Y8, Y9)
	ADDC(Y10, Y11)

rows4put0:
	MOVQ DX, AX
	PUT(Y4, Y5)
	PUT(Y6, Y7)
	PUT(Y8, Y9)
	PUT(Y10, Y11)
	JMP  rows4next

rows4mask:
	MASKS
	CMPQ beta+88(FP), $0
	JEQ  rows4mask0
	MOVQ DX, AX
	ADDCM(Y4, Y5)
	ADDCM(Y6, Y7)
	ADDCM(Y8, Y9)
	ADDCM(Y10, Y11)

rows4mask0:
	MOVQ DX, AX
	PUTM(Y4, Y5)
	PUTM(Y6, Y7)
	PUTM(Y8, Y9)
	PUTM(Y10, Y11)

rows4next:
	NEXT
	JGT rows4
	VZEROUPPER
	RET

rows2:
	PANEL
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

rows2loop:
	VMOVUPD (BX), Y0
	VMOVUPD 32(BX), Y1
	STEP2
	DECQ CX
	JNZ  rows2loop
	CMPQ R13, $8
	JLT  rows2mask
	CMPQ beta+88(FP), $0
	JEQ  rows2put0
	MOVQ DX, AX
	ADDC(Y4, Y5)
	ADDC(Y6, Y7)

rows2put0:
	MOVQ DX, AX
	PUT(Y4, Y5)
	PUT(Y6, Y7)
	JMP  rows2next

rows2mask:
	MASKS
	CMPQ beta+88(FP), $0
	JEQ  rows2mask0
	MOVQ DX, AX
	ADDCM(Y4, Y5)
	ADDCM(Y6, Y7)

rows2mask0:
	MOVQ DX, AX
	PUTM(Y4, Y5)
	PUTM(Y6, Y7)

rows2next:
	NEXT
	JGT rows2
	VZEROUPPER
	RET

rows1:
	PANEL
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5

rows1loop:
	VMOVUPD (BX), Y0
	VMOVUPD 32(BX), Y1
	STEP1
	DECQ CX
	JNZ  rows1loop
	CMPQ R13, $8
	JLT  rows1mask
	CMPQ beta+88(FP), $0
	JEQ  rows1put0
	MOVQ DX, AX
	ADDC(Y4, Y5)

rows1put0:
	MOVQ DX, AX
	PUT(Y4, Y5)
	JMP  rows1next

rows1mask:
	MASKS
	CMPQ beta+88(FP), $0
	JEQ  rows1mask0
	MOVQ DX, AX
	ADDCM(Y4, Y5)

rows1mask0:
	MOVQ DX, AX
	PUTM(Y4, Y5)

rows1next:
	NEXT
	JGT rows1
	VZEROUPPER
	RET
