//go:build amd64 && gc && !purego

// AVX-512 kernels (AVX512F only). One zmm holds one quantity for the 8
// lanes of a kernel call, or 8 consecutive elements of a vector kernel.
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
// Polynomial coefficients: kernels/testdata/polyfit.py.

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
GLOBL k512<>(SB), RODATA|NOPTR, $216

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

// UNIT: one hidden unit of the enumeration, the body of the generic
// lcTanh. In: Z3 = x. Out: Z4 = lc = |x| + log1p(e), Z5 = tanh x =
// sign(x)(1−e)/(1+e), e = exp(−2|x|). Z6..Z15 clobbered.
// Both quotients come from one reciprocal, q = 1/((1+e)(e+1+√2)):
// 1/(1+e) = q·(e+1+√2) and 1/(e+1+√2) = q·(1+e).
#define UNIT \
	VPORQ    ZSIGN, Z3, Z6; \
	VADDPD   Z6, Z6, Z7; \
	VMAXPD   Z7, ZCLAMPLO, Z7; \
	EXP(Z7, Z8, Z9, Z10, Z11); \
	VADDPD   ZONE, Z8, Z9; \
	VADDPD   ZOPS2, Z8, Z10; \
	VMULPD   Z10, Z9, Z11; \
	RECIP(Z11, Z12, Z13); \
	VMULPD   Z12, Z10, Z13; \
	VSUBPD   Z8, ZONE, Z14; \
	VMULPD   Z13, Z14, Z5; \
	COPYSIGN(Z3, Z5); \
	VMULPD   Z12, Z9, Z13; \
	VADDPD   ZOMS2, Z8, Z14; \
	VMULPD   Z13, Z14, Z14; \
	VMULPD   Z14, Z14, Z15; \
	LOGPOLY(Z14, Z15, Z4); \
	VSUBPD   Z6, Z4, Z4

// func enumBlockAVX512(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)
//
// The two inner loops of EnumerateGeneric for fixed (s0, s1), 8 lanes.
// Memory rows (one quantity, 8 lanes) are 64 bytes; a field or W row of one
// site state is d rows (d·64 bytes).
//
// General registers:
//   R8  = d·64             CX  = s2 countdown      DI  = scr
//   SI  = &t12[s2]         BX  = &t23[s2][0]       DX  = &U2[s2]    R10 = &W2[s2]
//   R9  = s3 countdown     R11 = &t23[s2][s3]      R12 = &t03[s3]
//   R13 = &U3[s3]          R14 = &W3[s3]           AX  = k·64 (hidden unit)
// scr: phi012[k] at k·64, acc2[k] at 512 + k·64. out: Σp, Σpa, Σpb at 0, 64,
// 128; acc1[k] at 192 + k·64.
// Vector registers:
//   Z31 = LogZf   Z30 = a01 = t01[s0][s1]   Z29 = a012
//   Z28, Z27, Z26 = Σp, Σpa, Σpb over s3 (the generic sum2)
//   Z25, Z24, Z23 = the same over s2 (sum1)
//   Z16..Z22 constants; Z0 = a, Z1 = p, Z2 = b = Σ_k lc; Z3..Z15 scratch.
TEXT ·enumBlockAVX512(SB), NOSPLIT, $0-112
	LOADCONSTS
	MOVQ    d+0(FP), R8
	SHLQ    $6, R8
	MOVQ    nS+8(FP), CX
	MOVQ    a01+16(FP), AX
	VMOVUPD (AX), Z30
	MOVQ    logZ+88(FP), AX
	VMOVUPD (AX), Z31
	MOVQ    t12+32(FP), SI
	MOVQ    t23+40(FP), BX
	MOVQ    u2+56(FP), DX
	MOVQ    w2+72(FP), R10
	MOVQ    scr+104(FP), DI
	VPXORQ  Z25, Z25, Z25
	VPXORQ  Z24, Z24, Z24
	VPXORQ  Z23, Z23, Z23

	// acc1 = 0
	MOVQ    out+96(FP), R11
	XORQ    AX, AX
	VPXORQ  Z0, Z0, Z0
zeroacc1:
	VMOVUPD Z0, 192(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      zeroacc1

loops2:
	// Level s2: a012 = a01 + t12[s2]; phi012 = phi01 + U2[s2]; acc2 = 0.
	VADDPD  (SI), Z30, Z29
	MOVQ    phi01+24(FP), R11
	XORQ    AX, AX
	VPXORQ  Z1, Z1, Z1
prep2:
	VMOVUPD (R11)(AX*1), Z0
	VADDPD  (DX)(AX*1), Z0, Z0
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
	// One configuration: a = a012 + t23[s2][s3] + t03[s0][s3],
	// p = exp(a − LogZf) (clamped only where exp is 0 or +Inf anyway).
	VADDPD       (R11), Z29, Z0
	VADDPD       (R12), Z0, Z0
	VSUBPD       Z31, Z0, Z7
	VMAXPD       Z7, ZCLAMPLO, Z7
	VBROADCASTSD CLAMPHI, Z8
	VMINPD       Z7, Z8, Z7
	EXP(Z7, Z1, Z9, Z10, Z11)
	VPXORQ       Z2, Z2, Z2
	XORQ         AX, AX

loopk:
	// Hidden unit k: x = phi012[k] + U3[s3][k]; b += lc; p·tanh goes to
	// acc2[k] and W3[s3][k].
	VMOVUPD (DI)(AX*1), Z3
	VADDPD  (R13)(AX*1), Z3, Z3
	UNIT
	VADDPD  Z4, Z2, Z2
	VMULPD  Z5, Z1, Z5
	VADDPD  512(DI)(AX*1), Z5, Z6
	VMOVUPD Z6, 512(DI)(AX*1)
	VADDPD  (R14)(AX*1), Z5, Z6
	VMOVUPD Z6, (R14)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      loopk

	VADDPD      Z1, Z28, Z28
	VFMADD231PD Z0, Z1, Z27
	VFMADD231PD Z2, Z1, Z26
	ADDQ        $64, R11
	ADDQ        $64, R12
	ADDQ        R8, R13
	ADDQ        R8, R14
	DECQ        R9
	JNZ         loops3

	// End of level s2: W2[s2] += acc2, acc1 += acc2, sum1 += sum2.
	MOVQ    R11, BX // R11 ran through row s2 of t23: it is row s2+1 now
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
	VADDPD  Z28, Z25, Z25
	VADDPD  Z27, Z24, Z24
	VADDPD  Z26, Z23, Z23
	ADDQ    $64, SI
	ADDQ    R8, DX
	ADDQ    R8, R10
	DECQ    CX
	JNZ     loops2

	VMOVUPD Z25, (R11)
	VMOVUPD Z24, 64(R11)
	VMOVUPD Z23, 128(R11)
	VZEROUPPER
	RET

// LCONLY: Z4 = log(2cosh Z3) = |x| + log1p(e), e = exp(−2|x|), with one
// reciprocal: zz = (e + 1 − √2)/(e + 1 + √2). Z6..Z15 clobbered.
#define LCONLY \
	VPORQ  ZSIGN, Z3, Z6; \
	VADDPD Z6, Z6, Z7; \
	VMAXPD Z7, ZCLAMPLO, Z7; \
	EXP(Z7, Z8, Z9, Z10, Z11); \
	VADDPD ZOPS2, Z8, Z10; \
	RECIP(Z10, Z12, Z13); \
	VADDPD ZOMS2, Z8, Z14; \
	VMULPD Z12, Z14, Z14; \
	VMULPD Z14, Z14, Z15; \
	LOGPOLY(Z14, Z15, Z4); \
	VSUBPD Z6, Z4, Z4

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

// func logCosh2AVX512(dst, x *float64, n int)
TEXT ·logCosh2AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	LOADCONSTS

lcloop:
	CMPQ    CX, $8
	JB      lctail
	VMOVUPD (SI), Z3
	LCONLY
	VMOVUPD Z4, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     lcloop

lctail:
	TESTQ     CX, CX
	JZ        lcdone
	MOVQ      $1, AX
	SHLQ      CX, AX
	DECQ      AX
	KMOVW     AX, K1
	VMOVUPD.Z (SI), K1, Z3
	LCONLY
	VMOVUPD   Z4, K1, (DI)

lcdone:
	VZEROUPPER
	RET

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
