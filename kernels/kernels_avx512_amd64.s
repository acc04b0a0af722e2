//go:build amd64 && gc && !purego

// AVX-512 kernels (AVX512F only). One zmm holds one quantity for the 8
// lanes of a kernel call, or 8 consecutive elements of a vector kernel.
//
// Contents:
//   enumBlockAVX512      the two inner loops of the enumeration, with exp,
//                        log1p and tanh per hidden unit (any table values);
//   enumBlockFastAVX512  the same without exponentials in the loop, for
//                        moderate tables (see its comment);
//   tanhAVX512, expAVX512: vector kernels.
//
// The mathematics, shared by every kernel here:
//   exp z:      z = (8m + j)·ln2/8 + r, |r| ≤ ln2/16, k = 8m + j found by
//               the 1.5·2^52 rounding trick (j = low 3 bits, looked up with
//               VPERMPD in a table of 2^(j/8)), e^r − 1 = r + r²·h(r) with a
//               degree-5 fit, and 2^m applied by VSCALEFPD (exact over- and
//               underflow, subnormals included).
//   log1p(e):   for 0 ≤ e ≤ 1, y = 1+e ∈ [1, 2] and
//               log y = ln√2 + 2 atanh(zz), zz = (y − √2)/(y + √2), |zz| ≤ 0.172,
//               2 atanh(zz) = zz·P(zz²), P of degree 7. Absolute error ~1e-17,
//               enough because log(2cosh x) ≥ ln 2.
//   1/d:        VRCP14PD (2^-14) and two Newton steps q += q(1 − dq).
// Every constant of the tables below is recomputed from its definition, and
// compared bit for bit, by coeffs_test.go (see README.md).

#include "textflag.h"

DATA k512<>+0x000(SB)/8, $0x8000000000000000 // sign bit
DATA k512<>+0x008(SB)/8, $1.0
DATA k512<>+0x010(SB)/8, $6755399441055744.0 // 1.5·2^52: adding it rounds to an integer kept in the low mantissa bits
DATA k512<>+0x018(SB)/8, $2.414213562373095 // 1+√2
DATA k512<>+0x020(SB)/8, $-0.41421356237309503 // 1−√2
DATA k512<>+0x028(SB)/8, $2.0
DATA k512<>+0x030(SB)/8, $0.34657359027997264 // ln √2
DATA k512<>+0x038(SB)/8, $11.541560327111707 // 8/ln2
DATA k512<>+0x040(SB)/8, $-1100.0 // exp(−1100) = 0 after scaling; keeps the magic-number rounding valid
DATA k512<>+0x048(SB)/8, $1100.0 // exp(1100) = +Inf after scaling
DATA k512<>+0x050(SB)/8, $-0.08664339756069239 // −ln2/8, high part: 33 significant bits, so k·hi is exact for |k| < 2^20
DATA k512<>+0x058(SB)/8, $-9.300771387515496e-12 // −ln2/8 − high part
DATA k512<>+0x060(SB)/8, $0.125
DATA k512<>+0x068(SB)/8, $0.00019842061231043566 // h(r) = (e^r − 1 − r)/r² on |r| ≤ 1.01·ln2/16, Chebyshev fit
DATA k512<>+0x070(SB)/8, $0.0013889601142784347
DATA k512<>+0x078(SB)/8, $0.00833333332765164
DATA k512<>+0x080(SB)/8, $0.04166666661553114
DATA k512<>+0x088(SB)/8, $0.16666666666666727
DATA k512<>+0x090(SB)/8, $0.5000000000000054
DATA k512<>+0x098(SB)/8, $0.14825441487683147 // P(w) = 2 atanh(√w)/√w on w ≤ 1.01·(3−2√2)², Chebyshev fit
DATA k512<>+0x0a0(SB)/8, $0.15311016389537266
DATA k512<>+0x0a8(SB)/8, $0.181836884123138
DATA k512<>+0x0b0(SB)/8, $0.222221960084622
DATA k512<>+0x0b8(SB)/8, $0.28571428770501067
DATA k512<>+0x0c0(SB)/8, $0.3999999999925863
DATA k512<>+0x0c8(SB)/8, $0.6666666666666772
DATA k512<>+0x0d0(SB)/8, $2.0
DATA k512<>+0x0d8(SB)/8, $1.4142135623730951 // √2
DATA k512<>+0x0e0(SB)/8, $0.6931471805599453 // ln 2
GLOBL k512<>(SB), RODATA|NOPTR, $232

#define SIGN k512<>+0x000(SB)
#define ONE k512<>+0x008(SB)
#define MAGIC k512<>+0x010(SB)
#define OPS2 k512<>+0x018(SB)
#define OMS2 k512<>+0x020(SB)
#define TWO k512<>+0x028(SB)
#define LNSQRT2 k512<>+0x030(SB)
#define LOG2E8 k512<>+0x038(SB)
#define CLAMPLO k512<>+0x040(SB)
#define CLAMPHI k512<>+0x048(SB)
#define NLN2O8HI k512<>+0x050(SB)
#define NLN2O8LO k512<>+0x058(SB)
#define EIGHTH k512<>+0x060(SB)
#define H8_5 k512<>+0x068(SB)
#define H8_4 k512<>+0x070(SB)
#define H8_3 k512<>+0x078(SB)
#define H8_2 k512<>+0x080(SB)
#define H8_1 k512<>+0x088(SB)
#define H8_0 k512<>+0x090(SB)
#define P7 k512<>+0x098(SB)
#define P6 k512<>+0x0a0(SB)
#define P5 k512<>+0x0a8(SB)
#define P4 k512<>+0x0b0(SB)
#define P3 k512<>+0x0b8(SB)
#define P2 k512<>+0x0c0(SB)
#define P1 k512<>+0x0c8(SB)
#define P0 k512<>+0x0d0(SB)
#define SQRT2 k512<>+0x0d8(SB)
#define LN2 k512<>+0x0e0(SB)

// 2^(j/8), j = 0..7, correctly rounded.
DATA exp2tab<>+0x00(SB)/8, $1.0
DATA exp2tab<>+0x08(SB)/8, $1.0905077326652577
DATA exp2tab<>+0x10(SB)/8, $1.189207115002721
DATA exp2tab<>+0x18(SB)/8, $1.2968395546510096
DATA exp2tab<>+0x20(SB)/8, $1.4142135623730951
DATA exp2tab<>+0x28(SB)/8, $1.5422108254079407
DATA exp2tab<>+0x30(SB)/8, $1.681792830507429
DATA exp2tab<>+0x38(SB)/8, $1.8340080864093424
GLOBL exp2tab<>(SB), RODATA|NOPTR, $64

// Constants kept in registers by every kernel of this file.
#define ZSIGN Z16
#define ZONE Z17
#define ZMAGIC Z18
#define ZLOG2E8 Z19
#define ZCLAMPLO Z20
#define ZOPS2 Z21
#define ZOMS2 Z22

#define LOADCONSTS \
	VBROADCASTSD SIGN, ZSIGN; \
	VBROADCASTSD ONE, ZONE; \
	VBROADCASTSD MAGIC, ZMAGIC; \
	VBROADCASTSD LOG2E8, ZLOG2E8; \
	VBROADCASTSD CLAMPLO, ZCLAMPLO; \
	VBROADCASTSD OPS2, ZOPS2; \
	VBROADCASTSD OMS2, ZOMS2

// EXPPARTS(z, p, k, t, r2): the common part of exp and expm1.
// In: z, clamped to [−1100, 1100] (NaN passes through).
// Out: z = r, p = e^r − 1, t = 2^(j/8), k = k/8 (so floor(k) = m).
// r2 is clobbered (r²).
#define EXPPARTS(z, p, k, t, r2) \
	VMOVAPD          ZMAGIC, k; \
	VFMADD231PD      ZLOG2E8, z, k; \
	VPERMPD          exp2tab<>(SB), k, t; \
	VSUBPD           ZMAGIC, k, k; \
	VFMADD231PD.BCST NLN2O8HI, k, z; \
	VFMADD231PD.BCST NLN2O8LO, k, z; \
	VMULPD           z, z, r2; \
	VBROADCASTSD     H8_5, p; \
	VFMADD213PD.BCST H8_4, z, p; \
	VFMADD213PD.BCST H8_3, z, p; \
	VFMADD213PD.BCST H8_2, z, p; \
	VFMADD213PD.BCST H8_1, z, p; \
	VFMADD213PD.BCST H8_0, z, p; \
	VFMADD213PD      z, r2, p; \
	VMULPD.BCST      EIGHTH, k, k

// EXP(z, e, k, t, r2): e = exp z for z in [−1100, 1100] or NaN;
// z, k, t, r2 clobbered.
#define EXP(z, e, k, t, r2) \
	EXPPARTS(z, e, k, t, r2); \
	VFMADD213PD t, t, e; \
	VSCALEFPD   k, e, e

// RECIP(d, q, t): q = 1/d to ~1 ulp for finite d > 0; t clobbered.
#define RECIP(d, q, t) \
	VRCP14PD     d, q; \
	VMOVAPD      ZONE, t; \
	VFNMADD231PD q, d, t; \
	VFMADD231PD  t, q, q; \
	VMOVAPD      ZONE, t; \
	VFNMADD231PD q, d, t; \
	VFMADD231PD  t, q, q

// LOGPOLY(zz, w, l): l = ln√2 + zz·P(w), w = zz²; that is log y when
// zz = (y − √2)/(y + √2).
#define LOGPOLY(zz, w, l) \
	VBROADCASTSD     P7, l; \
	VFMADD213PD.BCST P6, w, l; \
	VFMADD213PD.BCST P5, w, l; \
	VFMADD213PD.BCST P4, w, l; \
	VFMADD213PD.BCST P3, w, l; \
	VFMADD213PD.BCST P2, w, l; \
	VFMADD213PD.BCST P1, w, l; \
	VFMADD213PD.BCST P0, w, l; \
	VFMADD213PD.BCST LNSQRT2, zz, l

// COPYSIGN(src, dst): dst = |dst| with the sign bit of src
// (bitwise select: sign bit from src, the rest from dst).
#define COPYSIGN(src, dst) \
	VPTERNLOGQ $0xD8, ZSIGN, src, dst

// The enumeration block evaluates two configurations (s3 and s3+1) at once
// with their instructions interleaved step by step: one hidden unit is a
// dependency chain of ~45 instructions (~150 cycles), too long for the
// out-of-order window to overlap enough chains by itself. The steps below
// take their registers as arguments; a unit uses x, n = −|x| and six
// temporaries T1..T6, and leaves tanh x in T1 and lc in T3.

// Step U1: n = −|x|, T1 = z = max(−2|x|, −1100).
#define U1(X, N, T1) \
	VPORQ  ZSIGN, X, N; \
	VADDPD N, N, T1; \
	VMAXPD T1, ZCLAMPLO, T1

// Exp steps on z (→ r), k, t = 2^(j/8), r2, p; the result e is left in p.
#define E1(Z, K, T) \
	VBROADCASTSD     MAGIC, K; \
	VFMADD231PD.BCST LOG2E8, Z, K; \
	VPERMPD          exp2tab<>(SB), K, T; \
	VSUBPD.BCST      MAGIC, K, K

#define E2(Z, K, R2, P) \
	VFMADD231PD.BCST NLN2O8HI, K, Z; \
	VFMADD231PD.BCST NLN2O8LO, K, Z; \
	VMULPD           Z, Z, R2; \
	VBROADCASTSD     H8_5, P; \
	VFMADD213PD.BCST H8_4, Z, P

#define E3(Z, P) \
	VFMADD213PD.BCST H8_3, Z, P; \
	VFMADD213PD.BCST H8_2, Z, P

#define E4(Z, P) \
	VFMADD213PD.BCST H8_1, Z, P; \
	VFMADD213PD.BCST H8_0, Z, P

#define E5(Z, K, T, R2, P) \
	VFMADD213PD Z, R2, P; \
	VFMADD213PD T, T, P; \
	VMULPD.BCST EIGHTH, K, K; \
	VSCALEFPD   K, P, P

// Reciprocal steps: T1 = y = 1+e, T2 = y2 = e+1+√2, T3 = y·y2, T4 = 1/(y·y2),
// then T3 = 1/y and T2 = 1/y2.
#define R1(E, T1, T2, T3) \
	VADDPD      ZONE, E, T1; \
	VADDPD.BCST OPS2, E, T2; \
	VMULPD      T2, T1, T3

#define R2(T3, T4, T6) \
	VRCP14PD     T3, T4; \
	VMOVAPD      ZONE, T6; \
	VFNMADD231PD T4, T3, T6; \
	VFMADD231PD  T6, T4, T4

#define R3(T3, T4, T6) \
	VMOVAPD      ZONE, T6; \
	VFNMADD231PD T4, T3, T6; \
	VFMADD231PD  T6, T4, T4

#define R4(T1, T2, T3, T4) \
	VMULPD T4, T2, T3; \
	VMULPD T4, T1, T2

// T1 = tanh x = sign(x)·(1−e)·(1/y).
#define TH(X, E, T1, T3) \
	VSUBPD E, ZONE, T1; \
	VMULPD T3, T1, T1; \
	COPYSIGN(X, T1)

// E = zz = (e+1−√2)/y2, T2 = w = zz², then T3 = lc = ln√2 + zz·P(w) − n.
#define L1(E, T2) \
	VADDPD.BCST OMS2, E, E; \
	VMULPD      T2, E, E; \
	VMULPD      E, E, T2

#define L2(T2, T3) \
	VBROADCASTSD     P7, T3; \
	VFMADD213PD.BCST P6, T2, T3; \
	VFMADD213PD.BCST P5, T2, T3

#define L3(T2, T3) \
	VFMADD213PD.BCST P4, T2, T3; \
	VFMADD213PD.BCST P3, T2, T3; \
	VFMADD213PD.BCST P2, T2, T3

#define L4(E, N, T2, T3) \
	VFMADD213PD.BCST P1, T2, T3; \
	VFMADD213PD.BCST P0, T2, T3; \
	VFMADD213PD.BCST LNSQRT2, E, T3; \
	VSUBPD           N, T3, T3

// Registers of the two configurations: A (s3) and B (s3+1).
#define AA Z0
#define PA Z1
#define BA Z2
#define XA Z3
#define NA Z4
#define A1 Z5
#define A2 Z6
#define A3 Z7
#define A4 Z8
#define A5 Z9
#define A6 Z10
#define AB Z11
#define PB Z12
#define BB Z13
#define XB Z14
#define NB Z15
#define B1 Z18
#define B2 Z19
#define B3 Z21
#define B4 Z22
#define B5 Z23
#define B6 Z24

// P_PAIR: PA = exp(clamp(AA − LogZf)), PB likewise (clamped only where exp
// is 0 or +Inf anyway).
#define P_PAIR \
	VSUBPD       Z31, AA, A1; VSUBPD Z31, AB, B1; \
	VMAXPD       A1, ZCLAMPLO, A1; VMAXPD B1, ZCLAMPLO, B1; \
	VBROADCASTSD CLAMPHI, A2; \
	VMINPD       A1, A2, A1; VMINPD B1, A2, B1; \
	E1(A1, A2, A3); E1(B1, B2, B3); \
	E2(A1, A2, A4, PA); E2(B1, B2, B4, PB); \
	E3(A1, PA); E3(B1, PB); \
	E4(A1, PA); E4(B1, PB); \
	E5(A1, A2, A3, A4, PA); E5(B1, B2, B3, B4, PB)

// UNIT_PAIR: the generic LcTanh for XA and XB: tanh in A1/B1, lc in A3/B3.
// Both quotients come from one reciprocal, 1/((1+e)(e+1+√2)).
#define UNIT_PAIR \
	U1(XA, NA, A1); U1(XB, NB, B1); \
	E1(A1, A2, A3); E1(B1, B2, B3); \
	E2(A1, A2, A4, A5); E2(B1, B2, B4, B5); \
	E3(A1, A5); E3(B1, B5); \
	E4(A1, A5); E4(B1, B5); \
	E5(A1, A2, A3, A4, A5); E5(B1, B2, B3, B4, B5); \
	R1(A5, A1, A2, A3); R1(B5, B1, B2, B3); \
	R2(A3, A4, A6); R2(B3, B4, B6); \
	R3(A3, A4, A6); R3(B3, B4, B6); \
	R4(A1, A2, A3, A4); R4(B1, B2, B3, B4); \
	TH(XA, A5, A1, A3); TH(XB, B5, B1, B3); \
	L1(A5, A2); L1(B5, B2); \
	L2(A2, A3); L2(B2, B3); \
	L3(A2, A3); L3(B2, B3); \
	L4(A5, NA, A2, A3); L4(B5, NB, B2, B3)

// func enumBlockAVX512(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)
//
// The two inner loops of EnumerateGeneric for fixed (s0, s1), 8 lanes,
// s3 in steps of two (S is even).
// Memory rows (one quantity, 8 lanes) are 64 bytes; a field or W row of one
// site state is d rows (d·64 bytes).
//
// General registers in the s3 loop:
//   R8  = d·64             CX  = s2                DI  = scr
//   BX  = &t23[s2][0]      R9  = s3 countdown      R11 = &t23[s2][s3]
//   R12 = &t03[s3]         R13 = &U3[s3]           R14 = &W3[s3]
//   SI  = &U3[s3+1]        DX  = &W3[s3+1]         AX  = k·64 (hidden unit)
//   R10 scratch
// scr: phi012[k] at k·64, acc2[k] at 512 + k·64. out: Σp, Σpa, Σpb (sum1)
// at 0, 64, 128; acc1[k] at 192 + k·64.
// Vector registers: Z31 = LogZf, Z29 = a012, Z28, Z27, Z26 = Σp, Σpa, Σpb
// over s3 (the generic sum2), Z16, Z17, Z20 = sign, 1, −1100, and the A/B
// sets above.
TEXT ·enumBlockAVX512(SB), NOSPLIT, $0-112
	VBROADCASTSD SIGN, ZSIGN
	VBROADCASTSD ONE, ZONE
	VBROADCASTSD CLAMPLO, ZCLAMPLO
	MOVQ         d+0(FP), R8
	SHLQ         $6, R8
	MOVQ         logZ+88(FP), AX
	VMOVUPD      (AX), Z31
	MOVQ         t23+40(FP), BX
	MOVQ         scr+104(FP), DI

	// sum1 = 0, acc1 = 0
	MOVQ    out+96(FP), R11
	VPXORQ  Z0, Z0, Z0
	VMOVUPD Z0, (R11)
	VMOVUPD Z0, 64(R11)
	VMOVUPD Z0, 128(R11)
	XORQ    AX, AX
zeroacc1:
	VMOVUPD Z0, 192(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      zeroacc1
	XORQ    CX, CX

loops2:
	// Level s2: a012 = a01 + t12[s2]; phi012 = phi01 + U2[s2]; acc2 = 0.
	MOVQ    CX, R10
	SHLQ    $6, R10
	ADDQ    t12+32(FP), R10
	MOVQ    a01+16(FP), AX
	VMOVUPD (AX), Z29
	VADDPD  (R10), Z29, Z29
	MOVQ    CX, R10
	IMULQ   R8, R10
	ADDQ    u2+56(FP), R10
	MOVQ    phi01+24(FP), R11
	XORQ    AX, AX
	VPXORQ  Z1, Z1, Z1
prep2:
	VMOVUPD (R11)(AX*1), Z0
	VADDPD  (R10)(AX*1), Z0, Z0
	VMOVUPD Z0, (DI)(AX*1)
	VMOVUPD Z1, 512(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      prep2
	VPXORQ  Z28, Z28, Z28
	VPXORQ  Z27, Z27, Z27
	VPXORQ  Z26, Z26, Z26
	MOVQ    nS+8(FP), R9
	MOVQ    BX, R11
	MOVQ    t03+48(FP), R12
	MOVQ    u3+64(FP), R13
	MOVQ    w3+80(FP), R14

loops3:
	// Configurations s3 (A) and s3+1 (B): a = a012 + t23[s2][s3] + t03[s0][s3],
	// p = exp(a − LogZf), b = 0.
	LEAQ   (R13)(R8*1), SI
	LEAQ   (R14)(R8*1), DX
	VADDPD (R11), Z29, AA
	VADDPD 64(R11), Z29, AB
	VADDPD (R12), AA, AA
	VADDPD 64(R12), AB, AB
	P_PAIR
	VPXORQ BA, BA, BA
	VPXORQ BB, BB, BB
	XORQ   AX, AX

loopk:
	// Hidden unit k: x = phi012[k] + U3[s3][k]; b += lc; p·tanh goes to
	// W3[s3][k] and (A and B together) to acc2[k].
	VMOVUPD (DI)(AX*1), XA
	VADDPD  (SI)(AX*1), XA, XB
	VADDPD  (R13)(AX*1), XA, XA
	UNIT_PAIR
	VADDPD  A3, BA, BA
	VADDPD  B3, BB, BB
	VMULPD  A1, PA, A1
	VMULPD  B1, PB, B1
	VADDPD  (R14)(AX*1), A1, A2
	VMOVUPD A2, (R14)(AX*1)
	VADDPD  (DX)(AX*1), B1, B2
	VMOVUPD B2, (DX)(AX*1)
	VADDPD  512(DI)(AX*1), A1, A1
	VADDPD  B1, A1, A1
	VMOVUPD A1, 512(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      loopk

	VADDPD      PA, Z28, Z28
	VFMADD231PD AA, PA, Z27
	VFMADD231PD BA, PA, Z26
	VADDPD      PB, Z28, Z28
	VFMADD231PD AB, PB, Z27
	VFMADD231PD BB, PB, Z26
	ADDQ        $128, R11
	ADDQ        $128, R12
	LEAQ        (SI)(R8*1), R13
	LEAQ        (DX)(R8*1), R14
	SUBQ        $2, R9
	JNZ         loops3

	// End of level s2: W2[s2] += acc2, acc1 += acc2, sum1 += sum2.
	MOVQ    R11, BX // R11 ran through row s2 of t23: it is row s2+1 now
	MOVQ    CX, R10
	IMULQ   R8, R10
	ADDQ    w2+72(FP), R10
	MOVQ    out+96(FP), R11
	XORQ    AX, AX
flush2:
	VMOVUPD 512(DI)(AX*1), Z0
	VADDPD  (R10)(AX*1), Z0, Z1
	VMOVUPD Z1, (R10)(AX*1)
	VADDPD  192(R11)(AX*1), Z0, Z1
	VMOVUPD Z1, 192(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      flush2
	VADDPD  (R11), Z28, Z28
	VMOVUPD Z28, (R11)
	VADDPD  64(R11), Z27, Z27
	VMOVUPD Z27, 64(R11)
	VADDPD  128(R11), Z26, Z26
	VMOVUPD Z26, 128(R11)
	INCQ    CX
	CMPQ    CX, nS+8(FP)
	JB      loops2

	VZEROUPPER
	RET

// The exp-free enumeration block. Where the tables are moderate (checked
// by buildFast in enum_amd64.go), both exponentials of the inner loop are
// products of precomputed ones:
//   G = exp(−2φ_k) = G012[k]·F3[s3][k], F_i = exp(−2U_i), G012 = F0·F1·F2,
//   p = exp(a − log Z_f) = P012·X23[s2][s3]·X03[s0][s3], X = exp(t − c),
//   P012 = exp(a012 + c23 + c03 − log Z_f) (one exp per s2),
// and with y = 1 + G = 2^ex·m, m in [1, 2) (VGETEXPPD, VGETMANTPD):
//   tanh φ = (1 − G)/y,  lc = log(2cosh φ) = φ + ex·ln2 + log m,
//   log m = ln√2 + zz·P(zz²), zz = (m − √2)/(m + √2),
// both quotients from one reciprocal of y·(m + √2). No |x|, no sign fix-up,
// no exp: about 35 instructions per unit instead of 53.
// A unit uses x and eight temporaries and leaves tanh in T1, lc in T6.

// H1: x = phi012[k] + U3[s3][k], T1 = G = G012[k]·F3[s3][k]. BASE points
// at the (U3, F3) row pairs of s3; AX = k·64, so rows of pairs are at AX*2.
#define H1(X, T1, BASE) \
	VMOVUPD (DI)(AX*2), X; \
	VADDPD  (BASE)(AX*2), X, X; \
	VMOVUPD 64(DI)(AX*2), T1; \
	VMULPD  64(BASE)(AX*2), T1, T1

// H2: T2 = y = 1 + G, T1 = 1 − G, T3 = m, T4 = ex.
#define H2(T1, T2, T3, T4) \
	VADDPD     ZONE, T1, T2; \
	VSUBPD     T1, ZONE, T1; \
	VGETMANTPD $0, T2, T3; \
	VGETEXPPD  T2, T4

// H3: T5 = m + √2, T3 = m − √2, T6 = y·(m + √2).
#define H3(T2, T3, T5, T6) \
	VADDPD.BCST SQRT2, T3, T5; \
	VSUBPD.BCST SQRT2, T3, T3; \
	VMULPD      T5, T2, T6

// H6 (after T7 = 1/T6 by R2, R3): T1 = tanh, T3 = zz, T2 = zz².
#define H6(T1, T2, T3, T5, T7) \
	VMULPD T7, T5, T5; \
	VMULPD T5, T1, T1; \
	VMULPD T7, T2, T2; \
	VMULPD T2, T3, T3; \
	VMULPD T3, T3, T2

#define H7(T2, T6) \
	VBROADCASTSD     P7, T6; \
	VFMADD213PD.BCST P6, T2, T6; \
	VFMADD213PD.BCST P5, T2, T6; \
	VFMADD213PD.BCST P4, T2, T6

// H8: T6 = lc = x + ex·ln2 + ln√2 + zz·P(w).
#define H8(X, T2, T3, T4, T6) \
	VFMADD213PD.BCST P3, T2, T6; \
	VFMADD213PD.BCST P2, T2, T6; \
	VFMADD213PD.BCST P1, T2, T6; \
	VFMADD213PD.BCST P0, T2, T6; \
	VFMADD213PD.BCST LNSQRT2, T3, T6; \
	VFMADD231PD.BCST LN2, T4, T6; \
	VADDPD           X, T6, T6

#define FXA Z3
#define FA1 Z4
#define FA2 Z5
#define FA3 Z6
#define FA4 Z7
#define FA5 Z8
#define FA6 Z9
#define FA7 Z10
#define FA8 Z14
#define FXB Z15
#define FB1 Z18
#define FB2 Z19
#define FB3 Z20
#define FB4 Z21
#define FB5 Z22
#define FB6 Z23
#define FB7 Z24
#define FB8 Z25

// FASTUNIT_PAIR: hidden unit k of configurations A (U3/F3 pairs at R13)
// and B (at SI): tanh in FA1/FB1, lc in FA6/FB6.
#define FASTUNIT_PAIR \
	H1(FXA, FA1, R13); H1(FXB, FB1, SI); \
	H2(FA1, FA2, FA3, FA4); H2(FB1, FB2, FB3, FB4); \
	H3(FA2, FA3, FA5, FA6); H3(FB2, FB3, FB5, FB6); \
	R2(FA6, FA7, FA8); R2(FB6, FB7, FB8); \
	R3(FA6, FA7, FA8); R3(FB6, FB7, FB8); \
	H6(FA1, FA2, FA3, FA5, FA7); H6(FB1, FB2, FB3, FB5, FB7); \
	H7(FA2, FA6); H7(FB2, FB6); \
	H8(FXA, FA2, FA3, FA4, FA6); H8(FXB, FB2, FB3, FB4, FB6)

// func enumBlockFastAVX512(d, nS int, a01, phi01, g01, t12, tx23, tx03, uf2, uf3, w2, w3, cz, out, scr *float64)
//
// enumBlockAVX512 without exponentials in the loop (see above). Inputs
// besides enumBlockAVX512's: g01 = G01 = F0[s0]·F1[s1] (d rows); tx23 and
// tx03 hold row pairs (t, X) for [s2][s3] and (from s0's) [s3]; uf2 and uf3
// hold row pairs (U, F) for [s][k]; cz = c23 + c03 − LogZf (one row).
// scr: row pairs (phi012[k], G012[k]) at k·128, acc2[k] at 1024 + k·128.
// out as for enumBlockAVX512.
//
// General registers in the s3 loop:
//   R8  = d·64             CX  = s2                DI  = scr
//   BX  = &tx23[s2][0]     R9  = s3 countdown      R11 = &tx23[s2][s3]
//   R12 = &tx03[s3]        R13 = &uf3[s3]          R14 = &W3[s3]
//   SI  = &uf3[s3+1]       DX  = &W3[s3+1]         AX  = k·64
//   R10 scratch
// Vector registers: Z17 = 1, Z29 = a012, Z30 = P012, Z26..Z28 = sum2,
// AA, PA, BA, AB, PB, BB as in enumBlockAVX512, FA*/FB* the two chains.
TEXT ·enumBlockFastAVX512(SB), NOSPLIT, $0-120
	MOVQ d+0(FP), R8
	SHLQ $6, R8
	MOVQ tx23+48(FP), BX
	MOVQ scr+112(FP), DI

	// sum1 = 0, acc1 = 0
	MOVQ    out+104(FP), R11
	VPXORQ  Z0, Z0, Z0
	VMOVUPD Z0, (R11)
	VMOVUPD Z0, 64(R11)
	VMOVUPD Z0, 128(R11)
	XORQ    AX, AX
fzeroacc1:
	VMOVUPD Z0, 192(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      fzeroacc1
	XORQ    CX, CX

floops2:
	// Level s2: a012 = a01 + t12[s2], P012 = exp(a012 + cz),
	// phi012 = phi01 + U2[s2], G012 = G01·F2[s2], acc2 = 0.
	// (The loop below overwrites the constants except ZONE; reload them.)
	LOADCONSTS
	MOVQ         CX, R10
	SHLQ         $6, R10
	ADDQ         t12+40(FP), R10
	MOVQ         a01+16(FP), AX
	VMOVUPD      (AX), Z29
	VADDPD       (R10), Z29, Z29
	MOVQ         cz+96(FP), AX
	VADDPD       (AX), Z29, Z7
	VMAXPD       Z7, ZCLAMPLO, Z7
	VBROADCASTSD CLAMPHI, Z8
	VMINPD       Z7, Z8, Z7
	EXP(Z7, Z30, Z9, Z10, Z11)
	MOVQ         CX, R10
	IMULQ        R8, R10
	SHLQ         $1, R10
	ADDQ         uf2+64(FP), R10
	MOVQ         phi01+24(FP), R11
	MOVQ         g01+32(FP), R12
	XORQ         AX, AX
	VPXORQ       Z1, Z1, Z1
fprep2:
	VMOVUPD (R11)(AX*1), Z0
	VADDPD  (R10)(AX*2), Z0, Z0
	VMOVUPD Z0, (DI)(AX*2)
	VMOVUPD (R12)(AX*1), Z0
	VMULPD  64(R10)(AX*2), Z0, Z0
	VMOVUPD Z0, 64(DI)(AX*2)
	VMOVUPD Z1, 1024(DI)(AX*2)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      fprep2
	VPXORQ  Z28, Z28, Z28
	VPXORQ  Z27, Z27, Z27
	VPXORQ  Z26, Z26, Z26
	MOVQ    nS+8(FP), R9
	MOVQ    BX, R11
	MOVQ    tx03+56(FP), R12
	MOVQ    uf3+72(FP), R13
	MOVQ    w3+88(FP), R14

floops3:
	// Configurations s3 (A) and s3+1 (B): a = a012 + t23 + t03,
	// p = P012·X23·X03, b = 0.
	LEAQ   (R13)(R8*2), SI
	LEAQ   (R14)(R8*1), DX
	VADDPD (R11), Z29, AA
	VADDPD 128(R11), Z29, AB
	VADDPD (R12), AA, AA
	VADDPD 128(R12), AB, AB
	VMULPD 64(R11), Z30, PA
	VMULPD 192(R11), Z30, PB
	VMULPD 64(R12), PA, PA
	VMULPD 192(R12), PB, PB
	VPXORQ BA, BA, BA
	VPXORQ BB, BB, BB
	XORQ   AX, AX

floopk:
	FASTUNIT_PAIR
	VADDPD  FA6, BA, BA
	VADDPD  FB6, BB, BB
	VMULPD  FA1, PA, FA1
	VMULPD  FB1, PB, FB1
	VADDPD  (R14)(AX*1), FA1, FA2
	VMOVUPD FA2, (R14)(AX*1)
	VADDPD  (DX)(AX*1), FB1, FB2
	VMOVUPD FB2, (DX)(AX*1)
	VADDPD  1024(DI)(AX*2), FA1, FA1
	VADDPD  FB1, FA1, FA1
	VMOVUPD FA1, 1024(DI)(AX*2)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      floopk

	VADDPD      PA, Z28, Z28
	VFMADD231PD AA, PA, Z27
	VFMADD231PD BA, PA, Z26
	VADDPD      PB, Z28, Z28
	VFMADD231PD AB, PB, Z27
	VFMADD231PD BB, PB, Z26
	ADDQ        $256, R11
	ADDQ        $256, R12
	LEAQ        (SI)(R8*2), R13
	LEAQ        (DX)(R8*1), R14
	SUBQ        $2, R9
	JNZ         floops3

	// End of level s2: W2[s2] += acc2, acc1 += acc2, sum1 += sum2.
	MOVQ    R11, BX // R11 ran through row s2 of tx23: it is row s2+1 now
	MOVQ    CX, R10
	IMULQ   R8, R10
	ADDQ    w2+80(FP), R10
	MOVQ    out+104(FP), R11
	XORQ    AX, AX
fflush2:
	VMOVUPD 1024(DI)(AX*2), Z0
	VADDPD  (R10)(AX*1), Z0, Z1
	VMOVUPD Z1, (R10)(AX*1)
	VADDPD  192(R11)(AX*1), Z0, Z1
	VMOVUPD Z1, 192(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      fflush2
	VADDPD  (R11), Z28, Z28
	VMOVUPD Z28, (R11)
	VADDPD  64(R11), Z27, Z27
	VMOVUPD Z27, 64(R11)
	VADDPD  128(R11), Z26, Z26
	VMOVUPD Z26, 128(R11)
	INCQ    CX
	CMPQ    CX, nS+8(FP)
	JB      floops2

	VZEROUPPER
	RET

// TANHONLY: Z4 = tanh Z3 = sign(x)·(−em1)/(2 + em1), em1 = expm1(−2|x|)
// = 2^(k/8)(1 + p) − 1 = fma(T, p, T − 1) with T = 2^(k/8): no
// cancellation near 0 (there T = 1 and em1 = p exactly), so tiny and
// subnormal x come out to full precision. The quotient is refined once
// with its residual. Z6..Z15 clobbered.
#define TANHONLY \
	VPORQ            ZSIGN, Z3, Z6; \
	VADDPD           Z6, Z6, Z7; \
	VMAXPD           Z7, ZCLAMPLO, Z7; \
	EXPPARTS(Z7, Z8, Z9, Z10, Z11); \
	VSCALEFPD        Z9, Z10, Z10; \
	VSUBPD           ZONE, Z10, Z11; \
	VFMADD213PD      Z11, Z10, Z8; \
	VADDPD.BCST      TWO, Z8, Z9; \
	RECIP(Z9, Z10, Z11); \
	VPXORQ           ZSIGN, Z8, Z12; \
	VMULPD           Z10, Z12, Z4; \
	VMOVAPD          Z12, Z14; \
	VFNMADD231PD     Z4, Z9, Z14; \
	VFMADD231PD      Z14, Z10, Z4; \
	COPYSIGN(Z3, Z4)

// func tanhAVX512(dst, x *float64, n int)
TEXT ·tanhAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	LOADCONSTS

thloop:
	CMPQ    CX, $8
	JB      thtail
	VMOVUPD (SI), Z3
	TANHONLY
	VMOVUPD Z4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     thloop

thtail:
	TESTQ     CX, CX
	JZ        thdone
	MOVQ      $1, AX
	SHLQ      CX, AX
	DECQ      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z3
	TANHONLY
	VMOVUPD   Z4, K1, (DI)

thdone:
	VZEROUPPER
	RET

// func expAVX512(dst, x *float64, n int)
// dst[i] = exp x[i] (for the tables of the exp-free enumeration block).
TEXT ·expAVX512(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	LOADCONSTS
	VBROADCASTSD CLAMPHI, Z5

exploop:
	CMPQ    CX, $8
	JB      exptail
	VMOVUPD (SI), Z3
	VMAXPD  Z3, ZCLAMPLO, Z3
	VMINPD  Z3, Z5, Z3
	EXP(Z3, Z4, Z9, Z10, Z11)
	VMOVUPD Z4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     exploop

exptail:
	TESTQ     CX, CX
	JZ        expdone
	MOVQ      $1, AX
	SHLQ      CX, AX
	DECQ      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z3
	VMAXPD    Z3, ZCLAMPLO, Z3
	VMINPD    Z3, Z5, Z3
	EXP(Z3, Z4, Z9, Z10, Z11)
	VMOVUPD   Z4, K1, (DI)

expdone:
	VZEROUPPER
	RET

// func reluAVX512(dst, z *float64, n int)
// dst[i] = max(z[i], 0) as Go's max: z kept where !(z ≤ 0) (so NaN
// stays), +0 elsewhere.
TEXT ·reluAVX512(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   z+8(FP), SI
	MOVQ   n+16(FP), CX
	VPXORQ Z1, Z1, Z1

reluloop:
	CMPQ      CX, $8
	JB        relutail
	VMOVUPD   (SI), Z0
	VCMPPD    $0x16, Z1, Z0, K1 // !(z ≤ 0), unordered true
	VMOVUPD.Z Z0, K1, Z2
	VMOVUPD   Z2, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $8, CX
	JMP       reluloop

relutail:
	TESTQ     CX, CX
	JZ        reludone
	MOVQ      $1, AX
	SHLQ      CX, AX
	DECQ      AX
	KMOVW     AX, K2
	VMOVUPD.Z (SI), K2, Z0
	VCMPPD    $0x16, Z1, Z0, K1
	VMOVUPD.Z Z0, K1, Z2
	VMOVUPD   Z2, K2, (DI)

reludone:
	VZEROUPPER
	RET

// func reluMaskAVX512(grad, z *float64, n int)
// g[i] kept where the bits of z[i], as an int64, are > 0; zeroed
// elsewhere.
TEXT ·reluMaskAVX512(SB), NOSPLIT, $0-24
	MOVQ   grad+0(FP), DI
	MOVQ   z+8(FP), SI
	MOVQ   n+16(FP), CX
	VPXORQ Z1, Z1, Z1

rmloop:
	CMPQ        CX, $8
	JB          rmtail
	VMOVDQU64   (SI), Z0
	VPCMPQ      $6, Z1, Z0, K1 // z > 0 as int64
	VMOVDQU64.Z (DI), K1, Z2
	VMOVDQU64   Z2, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $8, CX
	JMP         rmloop

rmtail:
	TESTQ       CX, CX
	JZ          rmdone
	MOVQ        $1, AX
	SHLQ        CX, AX
	DECQ        AX
	KMOVW       AX, K2
	VMOVDQU64.Z (SI), K2, Z0
	VPCMPQ      $6, Z1, Z0, K1
	KANDW       K2, K1, K1
	VMOVDQU64.Z (DI), K1, Z2
	VMOVDQU64   Z2, K2, (DI)

rmdone:
	VZEROUPPER
	RET

// func fmaLoopAVX512(x *[12]float64, a, b float64, n int)
// n rounds of x_i ← x_i·a + b, the twelve chains in twelve registers.
TEXT ·fmaLoopAVX512(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	VBROADCASTSD a+8(FP), Z12
	VBROADCASTSD b+16(FP), Z13
	MOVQ n+24(FP), CX
	VBROADCASTSD 0(SI), Z0
	VBROADCASTSD 8(SI), Z1
	VBROADCASTSD 16(SI), Z2
	VBROADCASTSD 24(SI), Z3
	VBROADCASTSD 32(SI), Z4
	VBROADCASTSD 40(SI), Z5
	VBROADCASTSD 48(SI), Z6
	VBROADCASTSD 56(SI), Z7
	VBROADCASTSD 64(SI), Z8
	VBROADCASTSD 72(SI), Z9
	VBROADCASTSD 80(SI), Z10
	VBROADCASTSD 88(SI), Z11
	TESTQ CX, CX
	JZ fmaLoopAVX512done
fmaLoopAVX512loop:
	VFMADD213PD Z13, Z12, Z0
	VFMADD213PD Z13, Z12, Z1
	VFMADD213PD Z13, Z12, Z2
	VFMADD213PD Z13, Z12, Z3
	VFMADD213PD Z13, Z12, Z4
	VFMADD213PD Z13, Z12, Z5
	VFMADD213PD Z13, Z12, Z6
	VFMADD213PD Z13, Z12, Z7
	VFMADD213PD Z13, Z12, Z8
	VFMADD213PD Z13, Z12, Z9
	VFMADD213PD Z13, Z12, Z10
	VFMADD213PD Z13, Z12, Z11
	DECQ CX
	JNZ fmaLoopAVX512loop
fmaLoopAVX512done:
	VMOVSD X0, 0(SI)
	VMOVSD X1, 8(SI)
	VMOVSD X2, 16(SI)
	VMOVSD X3, 24(SI)
	VMOVSD X4, 32(SI)
	VMOVSD X5, 40(SI)
	VMOVSD X6, 48(SI)
	VMOVSD X7, 56(SI)
	VMOVSD X8, 64(SI)
	VMOVSD X9, 72(SI)
	VMOVSD X10, 80(SI)
	VMOVSD X11, 88(SI)
	VZEROUPPER
	RET

// func adamAVX512(params, grad, m, v *float64, n int, c *AdamCoef)
//
// AdamGeneric for n a multiple of 8. c: β1, 1−β1, β2, 1−β2, c1, c2, lr, ε.
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ         params+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), AX
	VBROADCASTSD 0(AX), Z0 // β1
	VBROADCASTSD 8(AX), Z1 // 1 − β1
	VBROADCASTSD 16(AX), Z2 // β2
	VBROADCASTSD 24(AX), Z3 // 1 − β2
	VBROADCASTSD 32(AX), Z4 // c1
	VBROADCASTSD 40(AX), Z5 // c2
	VBROADCASTSD 48(AX), Z6 // lr
	VBROADCASTSD 56(AX), Z7 // ε
	XORQ         BX, BX

adamloop:
	CMPQ    BX, CX
	JGE     adamdone
	VMOVUPD (SI)(BX*8), Z8
	VMULPD  (R8)(BX*8), Z0, Z9 // β1·m
	VMULPD  Z8, Z1, Z10 // (1 − β1)·g
	VADDPD  Z10, Z9, Z9 // m
	VMOVUPD Z9, (R8)(BX*8)
	VMULPD  Z8, Z3, Z10 // (1 − β2)·g
	VMULPD  Z8, Z10, Z10 // ·g
	VMULPD  (R9)(BX*8), Z2, Z11 // β2·v
	VADDPD  Z10, Z11, Z11 // v
	VMOVUPD Z11, (R9)(BX*8)
	VDIVPD  Z4, Z9, Z9 // m/c1
	VMULPD  Z9, Z6, Z9 // lr·(m/c1)
	VDIVPD  Z5, Z11, Z11 // v/c2
	VSQRTPD Z11, Z11
	VADDPD  Z7, Z11, Z11 // √(v/c2) + ε
	VDIVPD  Z11, Z9, Z9
	VMOVUPD (DI)(BX*8), Z12
	VSUBPD  Z9, Z12, Z12
	VMOVUPD Z12, (DI)(BX*8)
	ADDQ    $8, BX
	JMP     adamloop

adamdone:
	VZEROUPPER
	RET
