//go:build amd64 && gc && !purego

// AVX2+FMA3 kernel for NT products of few rows: see ntRowsAVX2 in
// dense_amd64.go.
//
// C[i][j] = Σ_p A[i][p]·B[j][p] with both A's and B's rows contiguous in p.
// Lanes are columns j: for two values of p at once, the 16-byte pieces
// B[j+r][p:p+2] of 4 rows are loaded as two ymm (rows j, j+2 and j+1, j+3,
// VINSERTF128 from memory) and VUNPCKLPD/VUNPCKHPD turn them into
// (B[j][p], …, B[j+3][p]) and the same for p+1: B is transposed on the fly,
// 4 shuffles for 8 elements, instead of packed beforehand. Each of the m
// rows broadcasts A[i][p] and accumulates with VFMADD231PD, p after p from
// zero: the sum and its order are the tile kernels' (gemm_avx2_amd64.s), so
// a row comes out with the same bits on either route.
//
// One call computes m ∈ {1, 2, 3, 4} rows, n ≥ 4 columns, over k ≥ 1
// values of p, in blocks of 16 columns for m ≤ 2 (4m accumulators, row i
// in Y(4i) … Y(4i+3)), then of 8 (2m accumulators, Y0–Y7: row i in Y(2i),
// Y(2i+1)): at least 4 chains of sums at once, whose fused multiply-adds'
// latency would otherwise bound a row. Of the r < 8 columns left, a block of 4 takes 4; other
// r take the block of the last 4 columns, of which only the lanes not done
// yet are stored, together with the next 4 (r > 4) or alone (r < 4).
//
// Registers: SI  A at row 0, column p; R8, R9 lda, 3·lda (bytes)
//            BX, DI  B at rows j and j+4, column p; R11, R12 ldb, 3·ldb
//            R14 B at row j, column 0; DX C at row 0, column j; R10 ldc
//            R13 columns left; CX pairs of p left; AX scratch
//            Y8, Y9 loads; Y10–Y13 the transposed B; Y14, Y15 A broadcast
//            (16-column blocks: Y10, Y11 the transposed B, Y12–Y15 A)

#include "textflag.h"

// TPAIR(g, t0, t1): t0, t1 = B's rows g … g+3 at p and p+1.
#define TPAIR(g, t0, t1) \
	VMOVUPD     (g), X8; \
	VINSERTF128 $1, (g)(R11*2), Y8, Y8; \
	VMOVUPD     (g)(R11*1), X9; \
	VINSERTF128 $1, (g)(R12*1), Y9, Y9; \
	VUNPCKLPD   Y9, Y8, t0; \
	VUNPCKHPD   Y9, Y8, t1

// TONE(g, t0): t0 = B's rows g … g+3 at p (the last, odd p).
#define TONE(g, t0) \
	VMOVSD      (g), X8; \
	VMOVHPD     (g)(R11*1), X8, X8; \
	VMOVSD      (g)(R11*2), X9; \
	VMOVHPD     (g)(R12*1), X9, X9; \
	VINSERTF128 $1, X9, Y8, t0

// func ntRowsAVX2(m, k, n int, a *float64, lda int, b *float64, ldb int, c *float64, ldc, beta int)
TEXT ·ntRowsAVX2(SB), NOSPLIT, $0-80
	MOVQ lda+32(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9
	MOVQ ldb+48(FP), R11
	SHLQ $3, R11
	LEAQ (R11)(R11*2), R12
	MOVQ ldc+64(FP), R10
	SHLQ $3, R10
	MOVQ b+40(FP), R14
	MOVQ c+56(FP), DX
	MOVQ n+16(FP), R13
	MOVQ m+0(FP), AX
	CMPQ AX, $2
	JB   nt1
	JEQ  nt2
	CMPQ AX, $3
	JEQ  nt3
	JMP  nt4

// m = 1
nt1:
	CMPQ        R13, $16
	JLT         nt18
nt1s:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(R11*4), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt1sodd
nt1spair:
	VBROADCASTSD (SI), Y12
	VBROADCASTSD 8(SI), Y13
	TPAIR(BX, Y10, Y11)
	VFMADD231PD Y12, Y10, Y0
	VFMADD231PD Y13, Y11, Y0
	TPAIR(DI, Y10, Y11)
	VFMADD231PD Y12, Y10, Y1
	VFMADD231PD Y13, Y11, Y1
	LEAQ        (BX)(R11*8), AX
	TPAIR(AX, Y10, Y11)
	VFMADD231PD Y12, Y10, Y2
	VFMADD231PD Y13, Y11, Y2
	LEAQ        (DI)(R11*8), AX
	TPAIR(AX, Y10, Y11)
	VFMADD231PD Y12, Y10, Y3
	VFMADD231PD Y13, Y11, Y3
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt1spair
nt1sodd:
	TESTQ       $1, k+8(FP)
	JZ          nt1sput
	VBROADCASTSD (SI), Y12
	TONE(BX, Y10)
	VFMADD231PD Y12, Y10, Y0
	TONE(DI, Y10)
	VFMADD231PD Y12, Y10, Y1
	LEAQ        (BX)(R11*8), AX
	TONE(AX, Y10)
	VFMADD231PD Y12, Y10, Y2
	LEAQ        (DI)(R11*8), AX
	TONE(AX, Y10)
	VFMADD231PD Y12, Y10, Y3
nt1sput:
	CMPQ        beta+72(FP), $0
	JEQ         nt1sput0
	MOVQ        DX, AX
	VADDPD      0(AX), Y0, Y0
	VADDPD      32(AX), Y1, Y1
	VADDPD      64(AX), Y2, Y2
	VADDPD      96(AX), Y3, Y3
nt1sput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, 0(AX)
	VMOVUPD     Y1, 32(AX)
	VMOVUPD     Y2, 64(AX)
	VMOVUPD     Y3, 96(AX)
	LEAQ        (R14)(R11*8), R14
	LEAQ        (R14)(R11*8), R14 // 16 rows of B on
	ADDQ        $128, DX
	SUBQ        $16, R13
	JMP         nt1
nt18:
	CMPQ        R13, $8
	JLT         nt1rest
nt1e:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(R11*4), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt1eodd
nt1epair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt1epair
nt1eodd:
	TESTQ       $1, k+8(FP)
	JZ          nt1eput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
nt1eput:
	CMPQ        beta+72(FP), $0
	JEQ         nt1eput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	VADDPD      32(AX), Y1, Y1
nt1eput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	VMOVUPD     Y1, 32(AX)
	LEAQ        (R14)(R11*8), R14 // 8 rows of B on
	ADDQ        $64, DX
	SUBQ        $8, R13
	JMP         nt1
nt1rest:
	CMPQ        R13, $4
	JLT         nt1tail
	JEQ         nt1four
	// 4 < R13 < 8 columns left: the next 4 and the last 4 (t = R13 − 4
	// of them not done yet), two chains of sums at once
	SUBQ        $4, R13
	MOVQ        R13, AX
	IMULQ       R11, AX
nt1o:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(AX*1), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt1oodd
nt1opair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt1opair
nt1oodd:
	TESTQ       $1, k+8(FP)
	JZ          nt1oput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
nt1oput:
	MOVQ        DX, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y0, Y0
	VMOVUPD     Y0, (AX)
	LEAQ        (DX)(R13*8), DX
	CMPQ        R13, $2
	JB          nt1o1
	JEQ         nt1o2
nt1o3:
	MOVQ        DX, AX
	VUNPCKHPD   X1, X1, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt1o2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt1o1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone
nt1four:
nt1f:
	VXORPD      Y0, Y0, Y0
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt1fodd
nt1fpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt1fpair
nt1fodd:
	TESTQ       $1, k+8(FP)
	JZ          nt1fput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
nt1fput:
	CMPQ        beta+72(FP), $0
	JEQ         nt1fput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
nt1fput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	JMP         ntdone
nt1tail:
	TESTQ       R13, R13
	JZ          ntdone
	// the last t = R13 < 4 columns: the block of the last 4, whose
	// first 4 − t columns are done already, stored from lane 4 − t on
	MOVQ        $4, AX
	SUBQ        R13, AX
	IMULQ       R11, AX
	SUBQ        AX, R14
	MOVQ        $4, AX
	SUBQ        R13, AX
	SHLQ        $3, AX
	SUBQ        AX, DX
nt1t:
	VXORPD      Y0, Y0, Y0
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt1todd
nt1tpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt1tpair
nt1todd:
	TESTQ       $1, k+8(FP)
	JZ          nt1tput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
nt1tput:
	CMPQ        R13, $2
	JB          nt1t1
	JEQ         nt1t2
nt1t3:
	MOVQ        DX, AX
	VUNPCKHPD   X0, X0, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt1t2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt1t1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone

// m = 2
nt2:
	CMPQ        R13, $16
	JLT         nt28
nt2s:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	VXORPD      Y4, Y4, Y4
	VXORPD      Y5, Y5, Y5
	VXORPD      Y6, Y6, Y6
	VXORPD      Y7, Y7, Y7
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(R11*4), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt2sodd
nt2spair:
	VBROADCASTSD (SI), Y12
	VBROADCASTSD 8(SI), Y13
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	TPAIR(BX, Y10, Y11)
	VFMADD231PD Y12, Y10, Y0
	VFMADD231PD Y13, Y11, Y0
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y15, Y11, Y4
	TPAIR(DI, Y10, Y11)
	VFMADD231PD Y12, Y10, Y1
	VFMADD231PD Y13, Y11, Y1
	VFMADD231PD Y14, Y10, Y5
	VFMADD231PD Y15, Y11, Y5
	LEAQ        (BX)(R11*8), AX
	TPAIR(AX, Y10, Y11)
	VFMADD231PD Y12, Y10, Y2
	VFMADD231PD Y13, Y11, Y2
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y15, Y11, Y6
	LEAQ        (DI)(R11*8), AX
	TPAIR(AX, Y10, Y11)
	VFMADD231PD Y12, Y10, Y3
	VFMADD231PD Y13, Y11, Y3
	VFMADD231PD Y14, Y10, Y7
	VFMADD231PD Y15, Y11, Y7
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt2spair
nt2sodd:
	TESTQ       $1, k+8(FP)
	JZ          nt2sput
	VBROADCASTSD (SI), Y12
	VBROADCASTSD (SI)(R8*1), Y14
	TONE(BX, Y10)
	VFMADD231PD Y12, Y10, Y0
	VFMADD231PD Y14, Y10, Y4
	TONE(DI, Y10)
	VFMADD231PD Y12, Y10, Y1
	VFMADD231PD Y14, Y10, Y5
	LEAQ        (BX)(R11*8), AX
	TONE(AX, Y10)
	VFMADD231PD Y12, Y10, Y2
	VFMADD231PD Y14, Y10, Y6
	LEAQ        (DI)(R11*8), AX
	TONE(AX, Y10)
	VFMADD231PD Y12, Y10, Y3
	VFMADD231PD Y14, Y10, Y7
nt2sput:
	CMPQ        beta+72(FP), $0
	JEQ         nt2sput0
	MOVQ        DX, AX
	VADDPD      0(AX), Y0, Y0
	VADDPD      32(AX), Y1, Y1
	VADDPD      64(AX), Y2, Y2
	VADDPD      96(AX), Y3, Y3
	ADDQ        R10, AX
	VADDPD      0(AX), Y4, Y4
	VADDPD      32(AX), Y5, Y5
	VADDPD      64(AX), Y6, Y6
	VADDPD      96(AX), Y7, Y7
nt2sput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, 0(AX)
	VMOVUPD     Y1, 32(AX)
	VMOVUPD     Y2, 64(AX)
	VMOVUPD     Y3, 96(AX)
	ADDQ        R10, AX
	VMOVUPD     Y4, 0(AX)
	VMOVUPD     Y5, 32(AX)
	VMOVUPD     Y6, 64(AX)
	VMOVUPD     Y7, 96(AX)
	LEAQ        (R14)(R11*8), R14
	LEAQ        (R14)(R11*8), R14 // 16 rows of B on
	ADDQ        $128, DX
	SUBQ        $16, R13
	JMP         nt2
nt28:
	CMPQ        R13, $8
	JLT         nt2rest
nt2e:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(R11*4), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt2eodd
nt2epair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VFMADD231PD Y15, Y11, Y2
	VFMADD231PD Y15, Y13, Y3
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt2epair
nt2eodd:
	TESTQ       $1, k+8(FP)
	JZ          nt2eput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
nt2eput:
	CMPQ        beta+72(FP), $0
	JEQ         nt2eput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	VADDPD      32(AX), Y1, Y1
	ADDQ        R10, AX
	VADDPD      (AX), Y2, Y2
	VADDPD      32(AX), Y3, Y3
nt2eput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	VMOVUPD     Y1, 32(AX)
	ADDQ        R10, AX
	VMOVUPD     Y2, (AX)
	VMOVUPD     Y3, 32(AX)
	LEAQ        (R14)(R11*8), R14 // 8 rows of B on
	ADDQ        $64, DX
	SUBQ        $8, R13
	JMP         nt2
nt2rest:
	CMPQ        R13, $4
	JLT         nt2tail
	JEQ         nt2four
	// 4 < R13 < 8 columns left: the next 4 and the last 4 (t = R13 − 4
	// of them not done yet), two chains of sums at once
	SUBQ        $4, R13
	MOVQ        R13, AX
	IMULQ       R11, AX
nt2o:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(AX*1), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt2oodd
nt2opair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VFMADD231PD Y15, Y11, Y2
	VFMADD231PD Y15, Y13, Y3
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt2opair
nt2oodd:
	TESTQ       $1, k+8(FP)
	JZ          nt2oput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
nt2oput:
	MOVQ        DX, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y0, Y0
	VMOVUPD     Y0, (AX)
	ADDQ        R10, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y2, Y2
	VMOVUPD     Y2, (AX)
	LEAQ        (DX)(R13*8), DX
	CMPQ        R13, $2
	JB          nt2o1
	JEQ         nt2o2
nt2o3:
	MOVQ        DX, AX
	VUNPCKHPD   X1, X1, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X3, X3, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y3, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt2o2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y3, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt2o1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y3, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone
nt2four:
nt2f:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y2, Y2, Y2
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt2fodd
nt2fpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y15, Y11, Y2
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt2fpair
nt2fodd:
	TESTQ       $1, k+8(FP)
	JZ          nt2fput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
nt2fput:
	CMPQ        beta+72(FP), $0
	JEQ         nt2fput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	ADDQ        R10, AX
	VADDPD      (AX), Y2, Y2
nt2fput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	ADDQ        R10, AX
	VMOVUPD     Y2, (AX)
	JMP         ntdone
nt2tail:
	TESTQ       R13, R13
	JZ          ntdone
	// the last t = R13 < 4 columns: the block of the last 4, whose
	// first 4 − t columns are done already, stored from lane 4 − t on
	MOVQ        $4, AX
	SUBQ        R13, AX
	IMULQ       R11, AX
	SUBQ        AX, R14
	MOVQ        $4, AX
	SUBQ        R13, AX
	SHLQ        $3, AX
	SUBQ        AX, DX
nt2t:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y2, Y2, Y2
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt2todd
nt2tpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y15, Y11, Y2
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt2tpair
nt2todd:
	TESTQ       $1, k+8(FP)
	JZ          nt2tput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
nt2tput:
	CMPQ        R13, $2
	JB          nt2t1
	JEQ         nt2t2
nt2t3:
	MOVQ        DX, AX
	VUNPCKHPD   X0, X0, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X2, X2, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y2, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt2t2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y2, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt2t1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y2, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone

// m = 3
nt3:
	CMPQ        R13, $8
	JLT         nt3rest
nt3e:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	VXORPD      Y4, Y4, Y4
	VXORPD      Y5, Y5, Y5
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(R11*4), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt3eodd
nt3epair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VFMADD231PD Y15, Y11, Y2
	VFMADD231PD Y15, Y13, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
	VFMADD231PD Y15, Y11, Y4
	VFMADD231PD Y15, Y13, Y5
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt3epair
nt3eodd:
	TESTQ       $1, k+8(FP)
	JZ          nt3eput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
nt3eput:
	CMPQ        beta+72(FP), $0
	JEQ         nt3eput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	VADDPD      32(AX), Y1, Y1
	ADDQ        R10, AX
	VADDPD      (AX), Y2, Y2
	VADDPD      32(AX), Y3, Y3
	ADDQ        R10, AX
	VADDPD      (AX), Y4, Y4
	VADDPD      32(AX), Y5, Y5
nt3eput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	VMOVUPD     Y1, 32(AX)
	ADDQ        R10, AX
	VMOVUPD     Y2, (AX)
	VMOVUPD     Y3, 32(AX)
	ADDQ        R10, AX
	VMOVUPD     Y4, (AX)
	VMOVUPD     Y5, 32(AX)
	LEAQ        (R14)(R11*8), R14 // 8 rows of B on
	ADDQ        $64, DX
	SUBQ        $8, R13
	JMP         nt3
nt3rest:
	CMPQ        R13, $4
	JLT         nt3tail
	JEQ         nt3four
	// 4 < R13 < 8 columns left: the next 4 and the last 4 (t = R13 − 4
	// of them not done yet), two chains of sums at once
	SUBQ        $4, R13
	MOVQ        R13, AX
	IMULQ       R11, AX
nt3o:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	VXORPD      Y4, Y4, Y4
	VXORPD      Y5, Y5, Y5
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(AX*1), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt3oodd
nt3opair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VFMADD231PD Y15, Y11, Y2
	VFMADD231PD Y15, Y13, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
	VFMADD231PD Y15, Y11, Y4
	VFMADD231PD Y15, Y13, Y5
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt3opair
nt3oodd:
	TESTQ       $1, k+8(FP)
	JZ          nt3oput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
nt3oput:
	MOVQ        DX, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y0, Y0
	VMOVUPD     Y0, (AX)
	ADDQ        R10, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y2, Y2
	VMOVUPD     Y2, (AX)
	ADDQ        R10, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y4, Y4
	VMOVUPD     Y4, (AX)
	LEAQ        (DX)(R13*8), DX
	CMPQ        R13, $2
	JB          nt3o1
	JEQ         nt3o2
nt3o3:
	MOVQ        DX, AX
	VUNPCKHPD   X1, X1, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X3, X3, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y3, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X5, X5, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y5, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt3o2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y3, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y5, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt3o1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y3, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y5, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone
nt3four:
nt3f:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y2, Y2, Y2
	VXORPD      Y4, Y4, Y4
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt3fodd
nt3fpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y15, Y11, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y15, Y11, Y4
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt3fpair
nt3fodd:
	TESTQ       $1, k+8(FP)
	JZ          nt3fput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
nt3fput:
	CMPQ        beta+72(FP), $0
	JEQ         nt3fput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	ADDQ        R10, AX
	VADDPD      (AX), Y2, Y2
	ADDQ        R10, AX
	VADDPD      (AX), Y4, Y4
nt3fput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	ADDQ        R10, AX
	VMOVUPD     Y2, (AX)
	ADDQ        R10, AX
	VMOVUPD     Y4, (AX)
	JMP         ntdone
nt3tail:
	TESTQ       R13, R13
	JZ          ntdone
	// the last t = R13 < 4 columns: the block of the last 4, whose
	// first 4 − t columns are done already, stored from lane 4 − t on
	MOVQ        $4, AX
	SUBQ        R13, AX
	IMULQ       R11, AX
	SUBQ        AX, R14
	MOVQ        $4, AX
	SUBQ        R13, AX
	SHLQ        $3, AX
	SUBQ        AX, DX
nt3t:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y2, Y2, Y2
	VXORPD      Y4, Y4, Y4
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt3todd
nt3tpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y15, Y11, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y15, Y11, Y4
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt3tpair
nt3todd:
	TESTQ       $1, k+8(FP)
	JZ          nt3tput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
nt3tput:
	CMPQ        R13, $2
	JB          nt3t1
	JEQ         nt3t2
nt3t3:
	MOVQ        DX, AX
	VUNPCKHPD   X0, X0, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X2, X2, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y2, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X4, X4, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y4, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt3t2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y2, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y4, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt3t1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y2, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y4, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone

// m = 4
nt4:
	CMPQ        R13, $8
	JLT         nt4rest
nt4e:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	VXORPD      Y4, Y4, Y4
	VXORPD      Y5, Y5, Y5
	VXORPD      Y6, Y6, Y6
	VXORPD      Y7, Y7, Y7
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(R11*4), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt4eodd
nt4epair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VFMADD231PD Y15, Y11, Y2
	VFMADD231PD Y15, Y13, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
	VFMADD231PD Y15, Y11, Y4
	VFMADD231PD Y15, Y13, Y5
	VBROADCASTSD (SI)(R9*1), Y14
	VBROADCASTSD 8(SI)(R9*1), Y15
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y14, Y12, Y7
	VFMADD231PD Y15, Y11, Y6
	VFMADD231PD Y15, Y13, Y7
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt4epair
nt4eodd:
	TESTQ       $1, k+8(FP)
	JZ          nt4eput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
	VBROADCASTSD (SI)(R9*1), Y14
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y14, Y12, Y7
nt4eput:
	CMPQ        beta+72(FP), $0
	JEQ         nt4eput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	VADDPD      32(AX), Y1, Y1
	ADDQ        R10, AX
	VADDPD      (AX), Y2, Y2
	VADDPD      32(AX), Y3, Y3
	ADDQ        R10, AX
	VADDPD      (AX), Y4, Y4
	VADDPD      32(AX), Y5, Y5
	ADDQ        R10, AX
	VADDPD      (AX), Y6, Y6
	VADDPD      32(AX), Y7, Y7
nt4eput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	VMOVUPD     Y1, 32(AX)
	ADDQ        R10, AX
	VMOVUPD     Y2, (AX)
	VMOVUPD     Y3, 32(AX)
	ADDQ        R10, AX
	VMOVUPD     Y4, (AX)
	VMOVUPD     Y5, 32(AX)
	ADDQ        R10, AX
	VMOVUPD     Y6, (AX)
	VMOVUPD     Y7, 32(AX)
	LEAQ        (R14)(R11*8), R14 // 8 rows of B on
	ADDQ        $64, DX
	SUBQ        $8, R13
	JMP         nt4
nt4rest:
	CMPQ        R13, $4
	JLT         nt4tail
	JEQ         nt4four
	// 4 < R13 < 8 columns left: the next 4 and the last 4 (t = R13 − 4
	// of them not done yet), two chains of sums at once
	SUBQ        $4, R13
	MOVQ        R13, AX
	IMULQ       R11, AX
nt4o:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y1, Y1, Y1
	VXORPD      Y2, Y2, Y2
	VXORPD      Y3, Y3, Y3
	VXORPD      Y4, Y4, Y4
	VXORPD      Y5, Y5, Y5
	VXORPD      Y6, Y6, Y6
	VXORPD      Y7, Y7, Y7
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	LEAQ        (BX)(AX*1), DI
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt4oodd
nt4opair:
	TPAIR(BX, Y10, Y11)
	TPAIR(DI, Y12, Y13)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VFMADD231PD Y15, Y11, Y0
	VFMADD231PD Y15, Y13, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VFMADD231PD Y15, Y11, Y2
	VFMADD231PD Y15, Y13, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
	VFMADD231PD Y15, Y11, Y4
	VFMADD231PD Y15, Y13, Y5
	VBROADCASTSD (SI)(R9*1), Y14
	VBROADCASTSD 8(SI)(R9*1), Y15
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y14, Y12, Y7
	VFMADD231PD Y15, Y11, Y6
	VFMADD231PD Y15, Y13, Y7
	ADDQ        $16, SI
	ADDQ        $16, BX
	ADDQ        $16, DI
	DECQ        CX
	JNZ         nt4opair
nt4oodd:
	TESTQ       $1, k+8(FP)
	JZ          nt4oput
	TONE(BX, Y10)
	TONE(DI, Y12)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y14, Y12, Y1
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y14, Y12, Y3
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y14, Y12, Y5
	VBROADCASTSD (SI)(R9*1), Y14
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y14, Y12, Y7
nt4oput:
	MOVQ        DX, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y0, Y0
	VMOVUPD     Y0, (AX)
	ADDQ        R10, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y2, Y2
	VMOVUPD     Y2, (AX)
	ADDQ        R10, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y4, Y4
	VMOVUPD     Y4, (AX)
	ADDQ        R10, AX
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      (AX), Y6, Y6
	VMOVUPD     Y6, (AX)
	LEAQ        (DX)(R13*8), DX
	CMPQ        R13, $2
	JB          nt4o1
	JEQ         nt4o2
nt4o3:
	MOVQ        DX, AX
	VUNPCKHPD   X1, X1, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X3, X3, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y3, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X5, X5, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y5, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X7, X7, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y7, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt4o2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y3, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y5, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y7, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt4o1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y1, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y3, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y5, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y7, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone
nt4four:
nt4f:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y2, Y2, Y2
	VXORPD      Y4, Y4, Y4
	VXORPD      Y6, Y6, Y6
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt4fodd
nt4fpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y15, Y11, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y15, Y11, Y4
	VBROADCASTSD (SI)(R9*1), Y14
	VBROADCASTSD 8(SI)(R9*1), Y15
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y15, Y11, Y6
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt4fpair
nt4fodd:
	TESTQ       $1, k+8(FP)
	JZ          nt4fput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
	VBROADCASTSD (SI)(R9*1), Y14
	VFMADD231PD Y14, Y10, Y6
nt4fput:
	CMPQ        beta+72(FP), $0
	JEQ         nt4fput0
	MOVQ        DX, AX
	VADDPD      (AX), Y0, Y0
	ADDQ        R10, AX
	VADDPD      (AX), Y2, Y2
	ADDQ        R10, AX
	VADDPD      (AX), Y4, Y4
	ADDQ        R10, AX
	VADDPD      (AX), Y6, Y6
nt4fput0:
	MOVQ        DX, AX
	VMOVUPD     Y0, (AX)
	ADDQ        R10, AX
	VMOVUPD     Y2, (AX)
	ADDQ        R10, AX
	VMOVUPD     Y4, (AX)
	ADDQ        R10, AX
	VMOVUPD     Y6, (AX)
	JMP         ntdone
nt4tail:
	TESTQ       R13, R13
	JZ          ntdone
	// the last t = R13 < 4 columns: the block of the last 4, whose
	// first 4 − t columns are done already, stored from lane 4 − t on
	MOVQ        $4, AX
	SUBQ        R13, AX
	IMULQ       R11, AX
	SUBQ        AX, R14
	MOVQ        $4, AX
	SUBQ        R13, AX
	SHLQ        $3, AX
	SUBQ        AX, DX
nt4t:
	VXORPD      Y0, Y0, Y0
	VXORPD      Y2, Y2, Y2
	VXORPD      Y4, Y4, Y4
	VXORPD      Y6, Y6, Y6
	MOVQ        a+24(FP), SI
	MOVQ        R14, BX
	MOVQ        k+8(FP), CX
	SHRQ        $1, CX
	JZ          nt4todd
nt4tpair:
	TPAIR(BX, Y10, Y11)
	VBROADCASTSD (SI), Y14
	VBROADCASTSD 8(SI), Y15
	VFMADD231PD Y14, Y10, Y0
	VFMADD231PD Y15, Y11, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VBROADCASTSD 8(SI)(R8*1), Y15
	VFMADD231PD Y14, Y10, Y2
	VFMADD231PD Y15, Y11, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VBROADCASTSD 8(SI)(R8*2), Y15
	VFMADD231PD Y14, Y10, Y4
	VFMADD231PD Y15, Y11, Y4
	VBROADCASTSD (SI)(R9*1), Y14
	VBROADCASTSD 8(SI)(R9*1), Y15
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y15, Y11, Y6
	ADDQ        $16, SI
	ADDQ        $16, BX
	DECQ        CX
	JNZ         nt4tpair
nt4todd:
	TESTQ       $1, k+8(FP)
	JZ          nt4tput
	TONE(BX, Y10)
	VBROADCASTSD (SI), Y14
	VFMADD231PD Y14, Y10, Y0
	VBROADCASTSD (SI)(R8*1), Y14
	VFMADD231PD Y14, Y10, Y2
	VBROADCASTSD (SI)(R8*2), Y14
	VFMADD231PD Y14, Y10, Y4
	VBROADCASTSD (SI)(R9*1), Y14
	VFMADD231PD Y14, Y10, Y6
nt4tput:
	CMPQ        R13, $2
	JB          nt4t1
	JEQ         nt4t2
nt4t3:
	MOVQ        DX, AX
	VUNPCKHPD   X0, X0, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X2, X2, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y2, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X4, X4, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y4, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VUNPCKHPD   X6, X6, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      8(AX), X9, X9
	VMOVSD      X9, 8(AX)
	VEXTRACTF128 $1, Y6, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt4t2:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y2, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y4, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y6, X8
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDPD      16(AX), X8, X8
	VMOVUPD     X8, 16(AX)
	JMP         ntdone
nt4t1:
	MOVQ        DX, AX
	VEXTRACTF128 $1, Y0, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y2, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y4, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	ADDQ        R10, AX
	VEXTRACTF128 $1, Y6, X8
	VUNPCKHPD   X8, X8, X9
	CMPQ        beta+72(FP), $0
	JEQ         2(PC)
	VADDSD      24(AX), X9, X9
	VMOVSD      X9, 24(AX)
	JMP         ntdone

ntdone:
	VZEROUPPER
	RET
