//go:build amd64 && gc && !purego

// AVX-512 (AVX512F) matrix micro-kernel: see gemmAVX512 in dense_amd64.go.
//
// One call computes mr rows of C across n columns, panel by panel (16
// columns, two zmm per row). Per panel, the k loop loads the panel's row p
// of B into Z0:Z1, broadcasts A[i][p] for each row i and accumulates with
// VFMADD231PD into Z16.. (two per row); then the accumulators are added to
// (beta = 1) or stored into (beta = 0) C under the masks K1:K2, which are
// all ones except in a last partial panel. In that panel B is also read
// under the masks, so nothing past column n is touched.
//
// Registers: SI, DI  A at rows 0 and 4 of the tile, column p
//            R8, R9  rsA, 3·rsA (bytes); R10 csA (bytes)
//            BX      B at row p of the panel; R11 rsB (bytes)
//            DX      C at row 0 of the panel; R12 ldc (bytes)
//            R13     columns left; CX k counter; AX scratch
// A last panel of at most 8 columns takes one zmm per row (HALF).
// The arguments b and psB are rewritten: b to the current panel, psB to
// bytes.

#include "textflag.h"

// One k step for 8, 4, 2 or 1 rows: broadcast A and accumulate, then step
// A and B on to p+1.
#define STEP8 \
	VBROADCASTSD (SI), Z2 \
	VFMADD231PD  Z0, Z2, Z16 \
	VFMADD231PD  Z1, Z2, Z17 \
	VBROADCASTSD (SI)(R8*1), Z3 \
	VFMADD231PD  Z0, Z3, Z18 \
	VFMADD231PD  Z1, Z3, Z19 \
	VBROADCASTSD (SI)(R8*2), Z4 \
	VFMADD231PD  Z0, Z4, Z20 \
	VFMADD231PD  Z1, Z4, Z21 \
	VBROADCASTSD (SI)(R9*1), Z5 \
	VFMADD231PD  Z0, Z5, Z22 \
	VFMADD231PD  Z1, Z5, Z23 \
	VBROADCASTSD (DI), Z6 \
	VFMADD231PD  Z0, Z6, Z24 \
	VFMADD231PD  Z1, Z6, Z25 \
	VBROADCASTSD (DI)(R8*1), Z7 \
	VFMADD231PD  Z0, Z7, Z26 \
	VFMADD231PD  Z1, Z7, Z27 \
	VBROADCASTSD (DI)(R8*2), Z8 \
	VFMADD231PD  Z0, Z8, Z28 \
	VFMADD231PD  Z1, Z8, Z29 \
	VBROADCASTSD (DI)(R9*1), Z9 \
	VFMADD231PD  Z0, Z9, Z30 \
	VFMADD231PD  Z1, Z9, Z31 \
	ADDQ         R10, SI \
	ADDQ         R10, DI \
	ADDQ         R11, BX

#define STEP4 \
	VBROADCASTSD (SI), Z2 \
	VFMADD231PD  Z0, Z2, Z16 \
	VFMADD231PD  Z1, Z2, Z17 \
	VBROADCASTSD (SI)(R8*1), Z3 \
	VFMADD231PD  Z0, Z3, Z18 \
	VFMADD231PD  Z1, Z3, Z19 \
	VBROADCASTSD (SI)(R8*2), Z4 \
	VFMADD231PD  Z0, Z4, Z20 \
	VFMADD231PD  Z1, Z4, Z21 \
	VBROADCASTSD (SI)(R9*1), Z5 \
	VFMADD231PD  Z0, Z5, Z22 \
	VFMADD231PD  Z1, Z5, Z23 \
	ADDQ         R10, SI \
	ADDQ         R11, BX

#define STEP2 \
	VBROADCASTSD (SI), Z2 \
	VFMADD231PD  Z0, Z2, Z16 \
	VFMADD231PD  Z1, Z2, Z17 \
	VBROADCASTSD (SI)(R8*1), Z3 \
	VFMADD231PD  Z0, Z3, Z18 \
	VFMADD231PD  Z1, Z3, Z19 \
	ADDQ         R10, SI \
	ADDQ         R11, BX

#define STEP1 \
	VBROADCASTSD (SI), Z2 \
	VFMADD231PD  Z0, Z2, Z16 \
	VFMADD231PD  Z1, Z2, Z17 \
	ADDQ         R10, SI \
	ADDQ         R11, BX

// One k step in a panel of at most 8 columns: one zmm per row, A broadcast
// by the FMA itself.
#define HALF8 \
	VFMADD231PD.BCST (SI), Z0, Z16 \
	VFMADD231PD.BCST (SI)(R8*1), Z0, Z18 \
	VFMADD231PD.BCST (SI)(R8*2), Z0, Z20 \
	VFMADD231PD.BCST (SI)(R9*1), Z0, Z22 \
	VFMADD231PD.BCST (DI), Z0, Z24 \
	VFMADD231PD.BCST (DI)(R8*1), Z0, Z26 \
	VFMADD231PD.BCST (DI)(R8*2), Z0, Z28 \
	VFMADD231PD.BCST (DI)(R9*1), Z0, Z30 \
	ADDQ             R10, SI \
	ADDQ             R10, DI \
	ADDQ             R11, BX

#define HALF4 \
	VFMADD231PD.BCST (SI), Z0, Z16 \
	VFMADD231PD.BCST (SI)(R8*1), Z0, Z18 \
	VFMADD231PD.BCST (SI)(R8*2), Z0, Z20 \
	VFMADD231PD.BCST (SI)(R9*1), Z0, Z22 \
	ADDQ             R10, SI \
	ADDQ             R11, BX

#define HALF2 \
	VFMADD231PD.BCST (SI), Z0, Z16 \
	VFMADD231PD.BCST (SI)(R8*1), Z0, Z18 \
	ADDQ             R10, SI \
	ADDQ             R11, BX

#define HALF1 \
	VFMADD231PD.BCST (SI), Z0, Z16 \
	ADDQ             R10, SI \
	ADDQ             R11, BX

// B's row p: whole, or under the masks.
#define LOADB \
	VMOVUPD (BX), Z0 \
	VMOVUPD 64(BX), Z1

#define LOADBMASK \
	VMOVUPD.Z (BX), K1, Z0 \
	VMOVUPD.Z 64(BX), K2, Z1

// PANEL sets up a panel: K1:K2 = the low min(R13, 16) bits, A and B at p
// = 0, CX = k.
#define PANEL \
	MOVQ    R13, CX \
	MOVL    $16, AX \
	CMPQ    CX, AX \
	CMOVQGT AX, CX \
	MOVL    $1, AX \
	SHLQ    CX, AX \
	DECQ    AX \
	KMOVW   AX, K1 \
	SHRQ    $8, AX \
	KMOVW   AX, K2 \
	MOVQ    a+24(FP), SI \
	LEAQ    (SI)(R8*4), DI \
	MOVQ    b+48(FP), BX \
	MOVQ    k+8(FP), CX

// Write one row of accumulators (acc0: columns 0-7, acc1: 8-15) to C at AX
// and step AX to the next row. With beta = 1, ADDC adds C to every row of
// the tile before PUT stores any: C's rows may be closer than 16 columns
// apart, and a load overlapping an earlier masked store would wait for it.
#define ADDC(acc0, acc1) \
	VADDPD (AX), acc0, K1, acc0 \
	VADDPD 64(AX), acc1, K2, acc1 \
	ADDQ   R12, AX

#define PUT(acc0, acc1) \
	VMOVUPD acc0, K1, (AX) \
	VMOVUPD acc1, K2, 64(AX) \
	ADDQ    R12, AX

// NEXT moves on to the next panel, or falls through when none is left.
#define NEXT \
	ADDQ $128, DX \
	MOVQ psB+64(FP), AX \
	ADDQ AX, b+48(FP) \
	SUBQ $16, R13

// func gemmAVX512(mr, k, n int, a *float64, rsA, csA int, b *float64, rsB, psB int, c *float64, ldc, beta int)
TEXT ·gemmAVX512(SB), NOSPLIT, $0-96
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
	CMPQ AX, $8
	JEQ  rows8
	CMPQ AX, $4
	JEQ  rows4
	CMPQ AX, $2
	JEQ  rows2
	JMP  rows1

rows8:
	PANEL
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	VPXORQ Z24, Z24, Z24
	VPXORQ Z25, Z25, Z25
	VPXORQ Z26, Z26, Z26
	VPXORQ Z27, Z27, Z27
	VPXORQ Z28, Z28, Z28
	VPXORQ Z29, Z29, Z29
	VPXORQ Z30, Z30, Z30
	VPXORQ Z31, Z31, Z31
	CMPQ   R13, $8
	JLE    rows8half
	CMPQ   R13, $16
	JLT    rows8tail

rows8full:
	LOADB
	STEP8
	DECQ CX
	JNZ  rows8full
	JMP  rows8put

rows8tail:
	LOADBMASK
	STEP8
	DECQ CX
	JNZ  rows8tail
	JMP  rows8put

rows8half:
	VMOVUPD.Z (BX), K1, Z0
	HALF8
	DECQ CX
	JNZ  rows8half

rows8put:
	CMPQ beta+88(FP), $0
	JEQ  rows8put0
	MOVQ DX, AX
	ADDC(Z16, Z17)
	ADDC(Z18, Z19)
	ADDC(Z20, Z21)
	ADDC(Z22, Z23)
	ADDC(Z24, Z25)
	ADDC(Z26, Z27)
	ADDC(Z28, Z29)
	ADDC(Z30, Z31)

rows8put0:
	MOVQ DX, AX
	PUT(Z16, Z17)
	PUT(Z18, Z19)
	PUT(Z20, Z21)
	PUT(Z22, Z23)
	PUT(Z24, Z25)
	PUT(Z26, Z27)
	PUT(Z28, Z29)
	PUT(Z30, Z31)

rows8next:
	NEXT
	JGT rows8
	VZEROUPPER
	RET

rows4:
	PANEL
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23
	CMPQ   R13, $8
	JLE    rows4half
	CMPQ   R13, $16
	JLT    rows4tail

rows4full:
	LOADB
	STEP4
	DECQ CX
	JNZ  rows4full
	JMP  rows4put

rows4tail:
	LOADBMASK
	STEP4
	DECQ CX
	JNZ  rows4tail
	JMP  rows4put

rows4half:
	VMOVUPD.Z (BX), K1, Z0
	HALF4
	DECQ CX
	JNZ  rows4half

rows4put:
	CMPQ beta+88(FP), $0
	JEQ  rows4put0
	MOVQ DX, AX
	ADDC(Z16, Z17)
	ADDC(Z18, Z19)
	ADDC(Z20, Z21)
	ADDC(Z22, Z23)

rows4put0:
	MOVQ DX, AX
	PUT(Z16, Z17)
	PUT(Z18, Z19)
	PUT(Z20, Z21)
	PUT(Z22, Z23)

rows4next:
	NEXT
	JGT rows4
	VZEROUPPER
	RET

rows2:
	CMPQ   R13, $32
	JGE    rows2pair
	PANEL
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	CMPQ   R13, $8
	JLE    rows2half
	CMPQ   R13, $16
	JLT    rows2tail

rows2full:
	LOADB
	STEP2
	DECQ CX
	JNZ  rows2full
	JMP  rows2put

rows2tail:
	LOADBMASK
	STEP2
	DECQ CX
	JNZ  rows2tail
	JMP  rows2put

rows2half:
	VMOVUPD.Z (BX), K1, Z0
	HALF2
	DECQ CX
	JNZ  rows2half

rows2put:
	CMPQ beta+88(FP), $0
	JEQ  rows2put0
	MOVQ DX, AX
	ADDC(Z16, Z17)
	ADDC(Z18, Z19)

rows2put0:
	MOVQ DX, AX
	PUT(Z16, Z17)
	PUT(Z18, Z19)

rows2next:
	NEXT
	JGT rows2
	VZEROUPPER
	RET

rows1:
	CMPQ   R13, $64
	JGE    rows1quad
	PANEL
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	CMPQ   R13, $8
	JLE    rows1half
	CMPQ   R13, $16
	JLT    rows1tail

rows1full:
	LOADB
	STEP1
	DECQ CX
	JNZ  rows1full
	JMP  rows1put

rows1tail:
	LOADBMASK
	STEP1
	DECQ CX
	JNZ  rows1tail
	JMP  rows1put

rows1half:
	VMOVUPD.Z (BX), K1, Z0
	HALF1
	DECQ CX
	JNZ  rows1half

rows1put:
	CMPQ beta+88(FP), $0
	JEQ  rows1put0
	MOVQ DX, AX
	ADDC(Z16, Z17)

rows1put0:
	MOVQ DX, AX
	PUT(Z16, Z17)

rows1next:
	NEXT
	JGT rows1
	VZEROUPPER
	RET

// Two and one rows have too few accumulators per panel to cover the FMAs'
// latency, so while whole panels are left they take two (rows2pair) or
// four (rows1quad) panels at once: 8 accumulators, B's rows read by the
// FMAs themselves, every element still summed over p in order.

// WIDE sets up several whole panels: A and B at p = 0, CX = k, R14 = psB
// (bytes), R15 = 3·psB.
#define WIDE \
	MOVQ a+24(FP), SI \
	MOVQ b+48(FP), BX \
	MOVQ k+8(FP), CX \
	MOVQ psB+64(FP), R14 \
	LEAQ (R14)(R14*2), R15

// WIDEPUT(off, acc0, acc1) writes a row's panel at off(AX) (beta = 0 or 1,
// whole panel).
#define WIDEADD(off, acc0, acc1) \
	VADDPD off(AX), acc0, acc0 \
	VADDPD off+64(AX), acc1, acc1

#define WIDEPUT(off, acc0, acc1) \
	VMOVUPD acc0, off(AX) \
	VMOVUPD acc1, off+64(AX)

rows2pair:
	WIDE
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23

rows2pairloop:
	VBROADCASTSD (SI), Z2
	VBROADCASTSD (SI)(R8*1), Z3
	VFMADD231PD  (BX), Z2, Z16
	VFMADD231PD  64(BX), Z2, Z17
	VFMADD231PD  (BX)(R14*1), Z2, Z18
	VFMADD231PD  64(BX)(R14*1), Z2, Z19
	VFMADD231PD  (BX), Z3, Z20
	VFMADD231PD  64(BX), Z3, Z21
	VFMADD231PD  (BX)(R14*1), Z3, Z22
	VFMADD231PD  64(BX)(R14*1), Z3, Z23
	ADDQ         R10, SI
	ADDQ         R11, BX
	DECQ         CX
	JNZ          rows2pairloop
	MOVQ         DX, AX
	CMPQ         beta+88(FP), $0
	JEQ          rows2pairput
	WIDEADD(0, Z16, Z17)
	WIDEADD(128, Z18, Z19)
	ADDQ         R12, AX
	WIDEADD(0, Z20, Z21)
	WIDEADD(128, Z22, Z23)
	MOVQ         DX, AX

rows2pairput:
	WIDEPUT(0, Z16, Z17)
	WIDEPUT(128, Z18, Z19)
	ADDQ         R12, AX
	WIDEPUT(0, Z20, Z21)
	WIDEPUT(128, Z22, Z23)
	ADDQ         $256, DX
	MOVQ         psB+64(FP), AX
	SHLQ         $1, AX
	ADDQ         AX, b+48(FP)
	SUBQ         $32, R13
	JGT          rows2
	VZEROUPPER
	RET

rows1quad:
	WIDE
	VPXORQ Z16, Z16, Z16
	VPXORQ Z17, Z17, Z17
	VPXORQ Z18, Z18, Z18
	VPXORQ Z19, Z19, Z19
	VPXORQ Z20, Z20, Z20
	VPXORQ Z21, Z21, Z21
	VPXORQ Z22, Z22, Z22
	VPXORQ Z23, Z23, Z23

rows1quadloop:
	VBROADCASTSD (SI), Z2
	VFMADD231PD  (BX), Z2, Z16
	VFMADD231PD  64(BX), Z2, Z17
	VFMADD231PD  (BX)(R14*1), Z2, Z18
	VFMADD231PD  64(BX)(R14*1), Z2, Z19
	VFMADD231PD  (BX)(R14*2), Z2, Z20
	VFMADD231PD  64(BX)(R14*2), Z2, Z21
	VFMADD231PD  (BX)(R15*1), Z2, Z22
	VFMADD231PD  64(BX)(R15*1), Z2, Z23
	ADDQ         R10, SI
	ADDQ         R11, BX
	DECQ         CX
	JNZ          rows1quadloop
	MOVQ         DX, AX
	CMPQ         beta+88(FP), $0
	JEQ          rows1quadput
	WIDEADD(0, Z16, Z17)
	WIDEADD(128, Z18, Z19)
	WIDEADD(256, Z20, Z21)
	WIDEADD(384, Z22, Z23)

rows1quadput:
	WIDEPUT(0, Z16, Z17)
	WIDEPUT(128, Z18, Z19)
	WIDEPUT(256, Z20, Z21)
	WIDEPUT(384, Z22, Z23)
	ADDQ         $512, DX
	MOVQ         psB+64(FP), AX
	SHLQ         $2, AX
	ADDQ         AX, b+48(FP)
	SUBQ         $64, R13
	JGT          rows1
	VZEROUPPER
	RET
