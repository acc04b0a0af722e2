//go:build amd64 && gc && !purego

// AVX2+FMA3 kernels: enumBlockAVX2 and enumBlockFastAVX2 (the two inner
// loops of the enumeration, general and exp-free, as in the AVX-512 file),
// tanhAVX2 and expAVX2. One ymm holds one quantity for 4 lanes (the
// enumeration block runs lanes 0–3 and 4–7 as two interleaved chains) or 4
// consecutive elements of a vector kernel. 16 registers only, so constants
// are memory operands (32-byte copies below).
//
// The mathematics is the AVX-512 file's with two changes: exp has no table
// (|r| ≤ ln2/2, degree-9 fit for h(r) = (e^r − 1 − r)/r², 2^k added to the
// exponent bits, so arguments are clamped to [−708, 709] where 2^k is
// normal; exp(−708) ≈ 3e-308 stands in for anything smaller, which changes
// log1p(e) and (1−e)/(1+e) by nothing and p by less than 1e-307), and
// quotients use VDIVPD. Every constant of the tables below is recomputed
// from its definition, and compared bit for bit, by coeffs_test.go (see
// README.md).

#include "textflag.h"

DATA k256<>+0x000(SB)/8, $0x8000000000000000 // sign bit
DATA k256<>+0x008(SB)/8, $0x8000000000000000
DATA k256<>+0x010(SB)/8, $0x8000000000000000
DATA k256<>+0x018(SB)/8, $0x8000000000000000
DATA k256<>+0x020(SB)/8, $1.0
DATA k256<>+0x028(SB)/8, $1.0
DATA k256<>+0x030(SB)/8, $1.0
DATA k256<>+0x038(SB)/8, $1.0
DATA k256<>+0x040(SB)/8, $6755399441055744.0 // 1.5·2^52: adding it rounds to an integer kept in the low mantissa bits
DATA k256<>+0x048(SB)/8, $6755399441055744.0
DATA k256<>+0x050(SB)/8, $6755399441055744.0
DATA k256<>+0x058(SB)/8, $6755399441055744.0
DATA k256<>+0x060(SB)/8, $2.414213562373095 // 1+√2
DATA k256<>+0x068(SB)/8, $2.414213562373095
DATA k256<>+0x070(SB)/8, $2.414213562373095
DATA k256<>+0x078(SB)/8, $2.414213562373095
DATA k256<>+0x080(SB)/8, $-0.41421356237309503 // 1−√2
DATA k256<>+0x088(SB)/8, $-0.41421356237309503
DATA k256<>+0x090(SB)/8, $-0.41421356237309503
DATA k256<>+0x098(SB)/8, $-0.41421356237309503
DATA k256<>+0x0a0(SB)/8, $2.0
DATA k256<>+0x0a8(SB)/8, $2.0
DATA k256<>+0x0b0(SB)/8, $2.0
DATA k256<>+0x0b8(SB)/8, $2.0
DATA k256<>+0x0c0(SB)/8, $0.34657359027997264 // ln √2
DATA k256<>+0x0c8(SB)/8, $0.34657359027997264
DATA k256<>+0x0d0(SB)/8, $0.34657359027997264
DATA k256<>+0x0d8(SB)/8, $0.34657359027997264
DATA k256<>+0x0e0(SB)/8, $1.4426950408889634 // 1/ln2
DATA k256<>+0x0e8(SB)/8, $1.4426950408889634
DATA k256<>+0x0f0(SB)/8, $1.4426950408889634
DATA k256<>+0x0f8(SB)/8, $1.4426950408889634
DATA k256<>+0x100(SB)/8, $-708.0 // keeps 2^k a normal number when built from its exponent bits
DATA k256<>+0x108(SB)/8, $-708.0
DATA k256<>+0x110(SB)/8, $-708.0
DATA k256<>+0x118(SB)/8, $-708.0
DATA k256<>+0x120(SB)/8, $709.0
DATA k256<>+0x128(SB)/8, $709.0
DATA k256<>+0x130(SB)/8, $709.0
DATA k256<>+0x138(SB)/8, $709.0
DATA k256<>+0x140(SB)/8, $-0.6931471804855391 // −ln2, high part (33 significant bits)
DATA k256<>+0x148(SB)/8, $-0.6931471804855391
DATA k256<>+0x150(SB)/8, $-0.6931471804855391
DATA k256<>+0x158(SB)/8, $-0.6931471804855391
DATA k256<>+0x160(SB)/8, $-7.440617110012397e-11 // −ln2 − high part
DATA k256<>+0x168(SB)/8, $-7.440617110012397e-11
DATA k256<>+0x170(SB)/8, $-7.440617110012397e-11
DATA k256<>+0x178(SB)/8, $-7.440617110012397e-11
DATA k256<>+0x180(SB)/8, $0x3ff0000000000000 // bits of 1.0
DATA k256<>+0x188(SB)/8, $0x3ff0000000000000
DATA k256<>+0x190(SB)/8, $0x3ff0000000000000
DATA k256<>+0x198(SB)/8, $0x3ff0000000000000
DATA k256<>+0x1a0(SB)/8, $2.510134692835034e-08 // h(r) = (e^r − 1 − r)/r² on |r| ≤ 1.01·ln2/2, Chebyshev fit
DATA k256<>+0x1a8(SB)/8, $2.510134692835034e-08
DATA k256<>+0x1b0(SB)/8, $2.510134692835034e-08
DATA k256<>+0x1b8(SB)/8, $2.510134692835034e-08
DATA k256<>+0x1c0(SB)/8, $2.7621338669142925e-07
DATA k256<>+0x1c8(SB)/8, $2.7621338669142925e-07
DATA k256<>+0x1d0(SB)/8, $2.7621338669142925e-07
DATA k256<>+0x1d8(SB)/8, $2.7621338669142925e-07
DATA k256<>+0x1e0(SB)/8, $2.75572664186123e-06
DATA k256<>+0x1e8(SB)/8, $2.75572664186123e-06
DATA k256<>+0x1f0(SB)/8, $2.75572664186123e-06
DATA k256<>+0x1f8(SB)/8, $2.75572664186123e-06
DATA k256<>+0x200(SB)/8, $2.4801518641395993e-05
DATA k256<>+0x208(SB)/8, $2.4801518641395993e-05
DATA k256<>+0x210(SB)/8, $2.4801518641395993e-05
DATA k256<>+0x218(SB)/8, $2.4801518641395993e-05
DATA k256<>+0x220(SB)/8, $0.00019841269864380513
DATA k256<>+0x228(SB)/8, $0.00019841269864380513
DATA k256<>+0x230(SB)/8, $0.00019841269864380513
DATA k256<>+0x238(SB)/8, $0.00019841269864380513
DATA k256<>+0x240(SB)/8, $0.0013888888918939168
DATA k256<>+0x248(SB)/8, $0.0013888888918939168
DATA k256<>+0x250(SB)/8, $0.0013888888918939168
DATA k256<>+0x258(SB)/8, $0.0013888888918939168
DATA k256<>+0x260(SB)/8, $0.008333333333329793
DATA k256<>+0x268(SB)/8, $0.008333333333329793
DATA k256<>+0x270(SB)/8, $0.008333333333329793
DATA k256<>+0x278(SB)/8, $0.008333333333329793
DATA k256<>+0x280(SB)/8, $0.04166666666662064
DATA k256<>+0x288(SB)/8, $0.04166666666662064
DATA k256<>+0x290(SB)/8, $0.04166666666662064
DATA k256<>+0x298(SB)/8, $0.04166666666662064
DATA k256<>+0x2a0(SB)/8, $0.16666666666666669
DATA k256<>+0x2a8(SB)/8, $0.16666666666666669
DATA k256<>+0x2b0(SB)/8, $0.16666666666666669
DATA k256<>+0x2b8(SB)/8, $0.16666666666666669
DATA k256<>+0x2c0(SB)/8, $0.5000000000000001
DATA k256<>+0x2c8(SB)/8, $0.5000000000000001
DATA k256<>+0x2d0(SB)/8, $0.5000000000000001
DATA k256<>+0x2d8(SB)/8, $0.5000000000000001
DATA k256<>+0x2e0(SB)/8, $0.14825441487683147 // P(w) = 2 atanh(√w)/√w on w ≤ 1.01·(3−2√2)², Chebyshev fit
DATA k256<>+0x2e8(SB)/8, $0.14825441487683147
DATA k256<>+0x2f0(SB)/8, $0.14825441487683147
DATA k256<>+0x2f8(SB)/8, $0.14825441487683147
DATA k256<>+0x300(SB)/8, $0.15311016389537266
DATA k256<>+0x308(SB)/8, $0.15311016389537266
DATA k256<>+0x310(SB)/8, $0.15311016389537266
DATA k256<>+0x318(SB)/8, $0.15311016389537266
DATA k256<>+0x320(SB)/8, $0.181836884123138
DATA k256<>+0x328(SB)/8, $0.181836884123138
DATA k256<>+0x330(SB)/8, $0.181836884123138
DATA k256<>+0x338(SB)/8, $0.181836884123138
DATA k256<>+0x340(SB)/8, $0.222221960084622
DATA k256<>+0x348(SB)/8, $0.222221960084622
DATA k256<>+0x350(SB)/8, $0.222221960084622
DATA k256<>+0x358(SB)/8, $0.222221960084622
DATA k256<>+0x360(SB)/8, $0.28571428770501067
DATA k256<>+0x368(SB)/8, $0.28571428770501067
DATA k256<>+0x370(SB)/8, $0.28571428770501067
DATA k256<>+0x378(SB)/8, $0.28571428770501067
DATA k256<>+0x380(SB)/8, $0.3999999999925863
DATA k256<>+0x388(SB)/8, $0.3999999999925863
DATA k256<>+0x390(SB)/8, $0.3999999999925863
DATA k256<>+0x398(SB)/8, $0.3999999999925863
DATA k256<>+0x3a0(SB)/8, $0.6666666666666772
DATA k256<>+0x3a8(SB)/8, $0.6666666666666772
DATA k256<>+0x3b0(SB)/8, $0.6666666666666772
DATA k256<>+0x3b8(SB)/8, $0.6666666666666772
DATA k256<>+0x3c0(SB)/8, $2.0
DATA k256<>+0x3c8(SB)/8, $2.0
DATA k256<>+0x3d0(SB)/8, $2.0
DATA k256<>+0x3d8(SB)/8, $2.0
DATA k256<>+0x3e0(SB)/8, $1.4142135623730951 // √2
DATA k256<>+0x3e8(SB)/8, $1.4142135623730951
DATA k256<>+0x3f0(SB)/8, $1.4142135623730951
DATA k256<>+0x3f8(SB)/8, $1.4142135623730951
DATA k256<>+0x400(SB)/8, $0.6931471805599453 // ln 2
DATA k256<>+0x408(SB)/8, $0.6931471805599453
DATA k256<>+0x410(SB)/8, $0.6931471805599453
DATA k256<>+0x418(SB)/8, $0.6931471805599453
DATA k256<>+0x420(SB)/8, $0x000fffffffffffff // mantissa bits
DATA k256<>+0x428(SB)/8, $0x000fffffffffffff
DATA k256<>+0x430(SB)/8, $0x000fffffffffffff
DATA k256<>+0x438(SB)/8, $0x000fffffffffffff
DATA k256<>+0x440(SB)/8, $0x4330000000000000 // bits of 2^52
DATA k256<>+0x448(SB)/8, $0x4330000000000000
DATA k256<>+0x450(SB)/8, $0x4330000000000000
DATA k256<>+0x458(SB)/8, $0x4330000000000000
DATA k256<>+0x460(SB)/8, $4503599627371519.0 // 2^52 + 1023: (2^52 + biased exponent) − this = exponent
DATA k256<>+0x468(SB)/8, $4503599627371519.0
DATA k256<>+0x470(SB)/8, $4503599627371519.0
DATA k256<>+0x478(SB)/8, $4503599627371519.0
GLOBL k256<>(SB), RODATA|NOPTR, $1152

#define SIGN k256<>+0x000(SB)
#define ONE k256<>+0x020(SB)
#define MAGIC k256<>+0x040(SB)
#define OPS2 k256<>+0x060(SB)
#define OMS2 k256<>+0x080(SB)
#define TWO k256<>+0x0a0(SB)
#define LNSQRT2 k256<>+0x0c0(SB)
#define LOG2E k256<>+0x0e0(SB)
#define CLAMPLO k256<>+0x100(SB)
#define CLAMPHI k256<>+0x120(SB)
#define NLN2HI k256<>+0x140(SB)
#define NLN2LO k256<>+0x160(SB)
#define EXPONE k256<>+0x180(SB)
#define H1_9 k256<>+0x1a0(SB)
#define H1_8 k256<>+0x1c0(SB)
#define H1_7 k256<>+0x1e0(SB)
#define H1_6 k256<>+0x200(SB)
#define H1_5 k256<>+0x220(SB)
#define H1_4 k256<>+0x240(SB)
#define H1_3 k256<>+0x260(SB)
#define H1_2 k256<>+0x280(SB)
#define H1_1 k256<>+0x2a0(SB)
#define H1_0 k256<>+0x2c0(SB)
#define P7 k256<>+0x2e0(SB)
#define P6 k256<>+0x300(SB)
#define P5 k256<>+0x320(SB)
#define P4 k256<>+0x340(SB)
#define P3 k256<>+0x360(SB)
#define P2 k256<>+0x380(SB)
#define P1 k256<>+0x3a0(SB)
#define P0 k256<>+0x3c0(SB)
#define SQRT2 k256<>+0x3e0(SB)
#define LN2 k256<>+0x400(SB)
#define MANTMASK k256<>+0x420(SB)
#define EXPMAGIC k256<>+0x440(SB)
#define EXPBIAS k256<>+0x460(SB)

DATA iota<>+0x00(SB)/8, $0
DATA iota<>+0x08(SB)/8, $1
DATA iota<>+0x10(SB)/8, $2
DATA iota<>+0x18(SB)/8, $3
GLOBL iota<>(SB), RODATA|NOPTR, $32

// Y14 holds the lower clamp in every kernel: as the first source of VMAXPD
// it lets NaN through (x86 MAX returns the second source when either is NaN).
#define YCLAMPLO Y14

// EXPPARTS2(z, p, kb, r2): the common part of exp and expm1.
// In: z clamped to [−708, 709] (or NaN).
// Out: z = r = z − k·ln2, p = e^r − 1, kb = k<<52 (to add to exponent bits).
// r2 clobbered.
#define EXPPARTS2(z, p, kb, r2) \
	VMOVUPD     MAGIC, kb; \
	VFMADD231PD LOG2E, z, kb; \
	VSUBPD      MAGIC, kb, r2; \
	VPSLLQ      $52, kb, kb; \
	VFMADD231PD NLN2HI, r2, z; \
	VFMADD231PD NLN2LO, r2, z; \
	VMULPD      z, z, r2; \
	VMOVUPD     H1_9, p; \
	VFMADD213PD H1_8, z, p; \
	VFMADD213PD H1_7, z, p; \
	VFMADD213PD H1_6, z, p; \
	VFMADD213PD H1_5, z, p; \
	VFMADD213PD H1_4, z, p; \
	VFMADD213PD H1_3, z, p; \
	VFMADD213PD H1_2, z, p; \
	VFMADD213PD H1_1, z, p; \
	VFMADD213PD H1_0, z, p; \
	VFMADD213PD z, r2, p

// EXP2(z, e, kb, r2): e = exp z for z in [−708, 709]; z, kb, r2 clobbered.
#define EXP2(z, e, kb, r2) \
	EXPPARTS2(z, e, kb, r2); \
	VADDPD ONE, e, e; \
	VPADDQ kb, e, e

// LOGPOLY2(zz, w, l): l = ln√2 + zz·P(w), w = zz².
#define LOGPOLY2(zz, w, l) \
	VMOVUPD     P7, l; \
	VFMADD213PD P6, w, l; \
	VFMADD213PD P5, w, l; \
	VFMADD213PD P4, w, l; \
	VFMADD213PD P3, w, l; \
	VFMADD213PD P2, w, l; \
	VFMADD213PD P1, w, l; \
	VFMADD213PD P0, w, l; \
	VFMADD213PD LNSQRT2, zz, l

// The enumeration block runs the lanes 0–3 (half A, at offset 0 of every
// 64-byte row) and 4–7 (half B, offset 32) of each configuration as two
// chains whose instructions are interleaved step by step, so that the
// ~45-instruction dependency chain of one hidden unit is always paired with
// an independent one. With 16 registers a chain gets six, C0..C5; x is read
// again from memory when its sign and |x| are needed, and the per-config
// a, p (and a012, LogZf) live in the scratch rows.
// OFF is the half's byte offset inside a row.

// V1: C0 = z = max(−2|x|, −708), x = phi012[k] + U3[s3][k].
#define V1(C0, OFF) \
	VMOVUPD OFF(DI)(AX*1), C0; \
	VADDPD  OFF(R13)(AX*1), C0, C0; \
	VORPD   SIGN, C0, C0; \
	VADDPD  C0, C0, C0; \
	VMAXPD  C0, YCLAMPLO, C0

// F1..F5: C3 = exp(C0) for C0 in [−708, 709]; C0 = r, C1 = k<<52,
// C2 = r² on the way.
#define F1(C0, C1, C2) \
	VMOVUPD     MAGIC, C1; \
	VFMADD231PD LOG2E, C0, C1; \
	VSUBPD      MAGIC, C1, C2; \
	VPSLLQ      $52, C1, C1; \
	VFMADD231PD NLN2HI, C2, C0; \
	VFMADD231PD NLN2LO, C2, C0; \
	VMULPD      C0, C0, C2

#define F2(C0, C3) \
	VMOVUPD     H1_9, C3; \
	VFMADD213PD H1_8, C0, C3; \
	VFMADD213PD H1_7, C0, C3; \
	VFMADD213PD H1_6, C0, C3

#define F3(C0, C3) \
	VFMADD213PD H1_5, C0, C3; \
	VFMADD213PD H1_4, C0, C3; \
	VFMADD213PD H1_3, C0, C3

#define F4(C0, C3) \
	VFMADD213PD H1_2, C0, C3; \
	VFMADD213PD H1_1, C0, C3; \
	VFMADD213PD H1_0, C0, C3

#define F5(C0, C1, C2, C3) \
	VFMADD213PD C0, C2, C3; \
	VADDPD      ONE, C3, C3; \
	VPADDQ      C1, C3, C3

// Q1, Q2: from e = C3, C4 = 1/(1+e) and C1 = 1/(e+1+√2) with one division
// of 1 by (1+e)(e+1+√2); C0 = 1+e.
#define Q1(C0, C1, C2, C3, C4) \
	VADDPD  ONE, C3, C0; \
	VADDPD  OPS2, C3, C1; \
	VMULPD  C1, C0, C2; \
	VMOVUPD ONE, C4; \
	VDIVPD  C2, C4, C2

#define Q2(C0, C1, C2, C4) \
	VMULPD C2, C1, C4; \
	VMULPD C2, C0, C1

// T1: C0 = tanh x = sign(x)(1−e)/(1+e); x is read again for its sign and
// C4 = −|x| is kept for lc.
#define T1(C0, C3, C4, C5, OFF) \
	VMOVUPD ONE, C0; \
	VSUBPD  C3, C0, C0; \
	VMULPD  C4, C0, C0; \
	VMOVUPD OFF(DI)(AX*1), C4; \
	VADDPD  OFF(R13)(AX*1), C4, C4; \
	VANDPD  SIGN, C4, C5; \
	VORPD   C5, C0, C0; \
	VORPD   SIGN, C4, C4

// G1..G3: C3 = zz = (e+1−√2)/(e+1+√2), C1 = zz², C2 = lc = ln√2 + zz·P(zz²) + |x|.
#define G1(C1, C3) \
	VADDPD OMS2, C3, C3; \
	VMULPD C1, C3, C3; \
	VMULPD C3, C3, C1

#define G2(C1, C2) \
	VMOVUPD     P7, C2; \
	VFMADD213PD P6, C1, C2; \
	VFMADD213PD P5, C1, C2; \
	VFMADD213PD P4, C1, C2

#define G3(C1, C2, C3, C4) \
	VFMADD213PD P3, C1, C2; \
	VFMADD213PD P2, C1, C2; \
	VFMADD213PD P1, C1, C2; \
	VFMADD213PD P0, C1, C2; \
	VFMADD213PD LNSQRT2, C3, C2; \
	VSUBPD      C4, C2, C2

// UNIT_HALVES: hidden unit k for both halves: tanh in Y0 (A) and Y6 (B),
// lc in Y2 and Y8.
#define UNIT_HALVES \
	V1(Y0, 0); V1(Y6, 32); \
	F1(Y0, Y1, Y2); F1(Y6, Y7, Y8); \
	F2(Y0, Y3); F2(Y6, Y9); \
	F3(Y0, Y3); F3(Y6, Y9); \
	F4(Y0, Y3); F4(Y6, Y9); \
	F5(Y0, Y1, Y2, Y3); F5(Y6, Y7, Y8, Y9); \
	Q1(Y0, Y1, Y2, Y3, Y4); Q1(Y6, Y7, Y8, Y9, Y10); \
	Q2(Y0, Y1, Y2, Y4); Q2(Y6, Y7, Y8, Y10); \
	T1(Y0, Y3, Y4, Y5, 0); T1(Y6, Y9, Y10, Y11, 32); \
	G1(Y1, Y3); G1(Y7, Y9); \
	G2(Y1, Y2); G2(Y7, Y8); \
	G3(Y1, Y2, Y3, Y4); G3(Y7, Y8, Y9, Y10)

// Scratch rows (byte offsets from DI; half B at +32).
#define SUMP 1024
#define SUMPA 1088
#define SUMPB 1152
#define ROWA 1216
#define ROWP 1280
#define ROWA012 1344
#define ROWLOGZ 1408

// CONFIG_HALF(C0, OFF): a = a012 + t23[s2][s3] + t03[s0][s3]
// (kept in ROWA); C0 = clamp(a − LogZf), whose exp the caller puts in ROWP.
#define CONFIG_HALF(C0, OFF) \
	VMOVUPD ROWA012+OFF(DI), C0; \
	VADDPD  OFF(R11), C0, C0; \
	VADDPD  OFF(R12), C0, C0; \
	VMOVUPD C0, ROWA+OFF(DI); \
	VSUBPD  ROWLOGZ+OFF(DI), C0, C0; \
	VMAXPD  C0, YCLAMPLO, C0; \
	VMINPD  CLAMPHI, C0, C0

// END_HALF(B, C0, C1, OFF): sum2 += p, p·a, p·b for one half; b in B.
#define END_HALF(B, C0, C1, OFF) \
	VMOVUPD     ROWP+OFF(DI), C0; \
	VADDPD      SUMP+OFF(DI), C0, C1; \
	VMOVUPD     C1, SUMP+OFF(DI); \
	VMOVUPD     ROWA+OFF(DI), C1; \
	VFMADD213PD SUMPA+OFF(DI), C0, C1; \
	VMOVUPD     C1, SUMPA+OFF(DI); \
	VFMADD213PD SUMPB+OFF(DI), C0, B; \
	VMOVUPD     B, SUMPB+OFF(DI)

// func enumBlockAVX2(d, nS int, a01, phi01, t12, t23, t03, u2, u3, w2, w3, logZ, out, scr *float64)
//
// enumBlockAVX512 for AVX2: the same memory layout (rows of 8 lanes, 64
// bytes apart) and general registers:
//   R8  = d·64             CX  = s2 countdown      DI  = scr
//   SI  = &t12[s2]         BX  = &t23[s2][0]       DX  = &U2[s2]    R10 = &W2[s2]
//   R9  = s3 countdown     R11 = &t23[s2][s3]      R12 = &t03[s3]
//   R13 = &U3[s3]          R14 = &W3[s3]           AX  = k·64
// scr: phi012[k] at k·64, acc2[k] at 512 + k·64, then the rows named above.
// out: Σp, Σpa, Σpb (sum1) at 0, 64, 128; acc1[k] at 192 + k·64.
// Vector registers: Y0..Y5 chain A, Y6..Y11 chain B, Y12/Y13 = b for A/B,
// Y14 = −708.
TEXT ·enumBlockAVX2(SB), NOSPLIT, $0-112
	VMOVUPD CLAMPLO, YCLAMPLO
	MOVQ    d+0(FP), R8
	SHLQ    $6, R8
	MOVQ    nS+8(FP), CX
	MOVQ    t12+32(FP), SI
	MOVQ    t23+40(FP), BX
	MOVQ    u2+56(FP), DX
	MOVQ    w2+72(FP), R10
	MOVQ    scr+104(FP), DI
	MOVQ    logZ+88(FP), AX
	VMOVUPD (AX), Y0
	VMOVUPD Y0, ROWLOGZ(DI)
	VMOVUPD 32(AX), Y0
	VMOVUPD Y0, ROWLOGZ+32(DI)

	// sum1 = 0, acc1 = 0
	MOVQ    out+96(FP), R11
	VXORPD  Y0, Y0, Y0
	XORQ    AX, AX
zeroout:
	VMOVUPD Y0, (R11)(AX*1)
	VMOVUPD Y0, 32(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, $192
	JB      zeroout
	XORQ    AX, AX
zeroacc1:
	VMOVUPD Y0, 192(R11)(AX*1)
	VMOVUPD Y0, 224(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      zeroacc1

loops2:
	// Level s2: a012 = a01 + t12[s2]; phi012 = phi01 + U2[s2]; acc2 = 0;
	// sum2 = 0.
	MOVQ    a01+16(FP), R11
	VMOVUPD (R11), Y0
	VADDPD  (SI), Y0, Y0
	VMOVUPD Y0, ROWA012(DI)
	VMOVUPD 32(R11), Y0
	VADDPD  32(SI), Y0, Y0
	VMOVUPD Y0, ROWA012+32(DI)
	MOVQ    phi01+24(FP), R11
	XORQ    AX, AX
	VXORPD  Y1, Y1, Y1
prep2:
	VMOVUPD (R11)(AX*1), Y0
	VADDPD  (DX)(AX*1), Y0, Y0
	VMOVUPD Y0, (DI)(AX*1)
	VMOVUPD 32(R11)(AX*1), Y0
	VADDPD  32(DX)(AX*1), Y0, Y0
	VMOVUPD Y0, 32(DI)(AX*1)
	VMOVUPD Y1, 512(DI)(AX*1)
	VMOVUPD Y1, 544(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      prep2
	XORQ    AX, AX
zerosum2:
	VMOVUPD Y1, SUMP(DI)(AX*1)
	VMOVUPD Y1, SUMP+32(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, $192
	JB      zerosum2
	MOVQ    nS+8(FP), R9
	MOVQ    BX, R11
	MOVQ    t03+48(FP), R12
	MOVQ    u3+64(FP), R13
	MOVQ    w3+80(FP), R14

loops3:
	// One configuration, both halves: a, p = exp(a − LogZf), b = 0.
	CONFIG_HALF(Y0, 0)
	CONFIG_HALF(Y6, 32)
	F1(Y0, Y1, Y2); F1(Y6, Y7, Y8)
	F2(Y0, Y3); F2(Y6, Y9)
	F3(Y0, Y3); F3(Y6, Y9)
	F4(Y0, Y3); F4(Y6, Y9)
	F5(Y0, Y1, Y2, Y3); F5(Y6, Y7, Y8, Y9)
	VMOVUPD Y3, ROWP(DI)
	VMOVUPD Y9, ROWP+32(DI)
	VXORPD  Y12, Y12, Y12
	VXORPD  Y13, Y13, Y13
	XORQ    AX, AX

loopk:
	// Hidden unit k: b += lc; p·tanh goes to acc2[k] and W3[s3][k].
	UNIT_HALVES
	VADDPD  Y2, Y12, Y12
	VADDPD  Y8, Y13, Y13
	VMULPD  ROWP(DI), Y0, Y0
	VMULPD  ROWP+32(DI), Y6, Y6
	VADDPD  (R14)(AX*1), Y0, Y1
	VMOVUPD Y1, (R14)(AX*1)
	VADDPD  32(R14)(AX*1), Y6, Y7
	VMOVUPD Y7, 32(R14)(AX*1)
	VADDPD  512(DI)(AX*1), Y0, Y1
	VMOVUPD Y1, 512(DI)(AX*1)
	VADDPD  544(DI)(AX*1), Y6, Y7
	VMOVUPD Y7, 544(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      loopk

	END_HALF(Y12, Y0, Y1, 0)
	END_HALF(Y13, Y6, Y7, 32)
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ R8, R13
	ADDQ R8, R14
	DECQ R9
	JNZ  loops3

	// End of level s2: W2[s2] += acc2, acc1 += acc2, sum1 += sum2.
	MOVQ R11, BX // R11 ran through row s2 of t23: it is row s2+1 now
	MOVQ out+96(FP), R11
	XORQ AX, AX
flush2:
	VMOVUPD 512(DI)(AX*1), Y0
	VMOVUPD 544(DI)(AX*1), Y6
	VADDPD  (R10)(AX*1), Y0, Y1
	VMOVUPD Y1, (R10)(AX*1)
	VADDPD  32(R10)(AX*1), Y6, Y7
	VMOVUPD Y7, 32(R10)(AX*1)
	VADDPD  192(R11)(AX*1), Y0, Y1
	VMOVUPD Y1, 192(R11)(AX*1)
	VADDPD  224(R11)(AX*1), Y6, Y7
	VMOVUPD Y7, 224(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      flush2
	XORQ    AX, AX
flushsum:
	VMOVUPD SUMP(DI)(AX*1), Y0
	VADDPD  (R11)(AX*1), Y0, Y0
	VMOVUPD Y0, (R11)(AX*1)
	VMOVUPD SUMP+32(DI)(AX*1), Y0
	VADDPD  32(R11)(AX*1), Y0, Y0
	VMOVUPD Y0, 32(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, $192
	JB      flushsum
	ADDQ    $64, SI
	ADDQ    R8, DX
	ADDQ    R8, R10
	DECQ    CX
	JNZ     loops2

	VZEROUPPER
	RET

// The exp-free AVX2 block: enumBlockFastAVX512's method (see there) with
// the exponent and mantissa of y = 1 + G taken from its bits, and one
// division. A chain (one half) uses C0..C6; x is read again at the end.
// OFF is the half's byte offset inside a row; row pairs are at AX*2.

// K1: C0 = 1 − G, C1 = y = 1 + G, G = G012[k]·F3[s3][k].
#define K1(C0, C1, OFF) \
	VMOVUPD 64+OFF(DI)(AX*2), C0; \
	VMULPD  64+OFF(R13)(AX*2), C0, C0; \
	VADDPD  ONE, C0, C1; \
	VXORPD  SIGN, C0, C0; \
	VADDPD  ONE, C0, C0

// K2: C2 = m in [1, 2), C3 = ex, y = 2^ex·m (y ≥ 1 is normal).
#define K2(C1, C2, C3) \
	VANDPD MANTMASK, C1, C2; \
	VORPD  ONE, C2, C2; \
	VPSRLQ $52, C1, C3; \
	VPOR   EXPMAGIC, C3, C3; \
	VSUBPD EXPBIAS, C3, C3

// K3: C4 = m + √2, C2 = m − √2, C5 = 1/(y·(m + √2)); C6 clobbered.
#define K3(C1, C2, C4, C5, C6) \
	VADDPD  SQRT2, C2, C4; \
	VSUBPD  SQRT2, C2, C2; \
	VMULPD  C4, C1, C5; \
	VMOVUPD ONE, C6; \
	VDIVPD  C5, C6, C5

// K4: C0 = tanh = (1 − G)/y, C2 = zz, C1 = zz².
#define K4(C0, C1, C2, C4, C5) \
	VMULPD C5, C4, C4; \
	VMULPD C4, C0, C0; \
	VMULPD C5, C1, C1; \
	VMULPD C1, C2, C2; \
	VMULPD C2, C2, C1

#define K5(C1, C4) \
	VMOVUPD     P7, C4; \
	VFMADD213PD P6, C1, C4; \
	VFMADD213PD P5, C1, C4; \
	VFMADD213PD P4, C1, C4

// K6: C4 = lc = x + ex·ln2 + ln√2 + zz·P(zz²), x = phi012[k] + U3[s3][k].
#define K6(C1, C2, C3, C4, C5, OFF) \
	VFMADD213PD P3, C1, C4; \
	VFMADD213PD P2, C1, C4; \
	VFMADD213PD P1, C1, C4; \
	VFMADD213PD P0, C1, C4; \
	VFMADD213PD LNSQRT2, C2, C4; \
	VFMADD231PD LN2, C3, C4; \
	VMOVUPD     OFF(DI)(AX*2), C5; \
	VADDPD      OFF(R13)(AX*2), C5, C5; \
	VADDPD      C5, C4, C4

// FASTUNIT_HALVES: tanh in Y0 (A) and Y7 (B), lc in Y4 and Y11.
#define FASTUNIT_HALVES \
	K1(Y0, Y1, 0); K1(Y7, Y8, 32); \
	K2(Y1, Y2, Y3); K2(Y8, Y9, Y10); \
	K3(Y1, Y2, Y4, Y5, Y6); K3(Y8, Y9, Y11, Y12, Y13); \
	K4(Y0, Y1, Y2, Y4, Y5); K4(Y7, Y8, Y9, Y11, Y12); \
	K5(Y1, Y4); K5(Y8, Y11); \
	K6(Y1, Y2, Y3, Y4, Y5, 0); K6(Y8, Y9, Y10, Y11, Y12, 32)

// Scratch rows of the fast block (byte offsets from DI; half B at +32).
#define FSUMP 2048
#define FSUMPA 2112
#define FSUMPB 2176
#define FROWA 2240
#define FROWP 2304
#define FROWA012 2368
#define FROWP012 2432

// FCONFIG_HALF(C0, C1, OFF): a = a012 + t23 + t03 → FROWA,
// p = P012·X23·X03 → FROWP.
#define FCONFIG_HALF(C0, C1, OFF) \
	VMOVUPD FROWA012+OFF(DI), C0; \
	VADDPD  OFF(R11), C0, C0; \
	VADDPD  OFF(R12), C0, C0; \
	VMOVUPD C0, FROWA+OFF(DI); \
	VMOVUPD FROWP012+OFF(DI), C1; \
	VMULPD  64+OFF(R11), C1, C1; \
	VMULPD  64+OFF(R12), C1, C1; \
	VMOVUPD C1, FROWP+OFF(DI)

// FEND_HALF(B, C0, C1, OFF): sum2 += p, p·a, p·b; b in B.
#define FEND_HALF(B, C0, C1, OFF) \
	VMOVUPD     FROWP+OFF(DI), C0; \
	VADDPD      FSUMP+OFF(DI), C0, C1; \
	VMOVUPD     C1, FSUMP+OFF(DI); \
	VMOVUPD     FROWA+OFF(DI), C1; \
	VFMADD213PD FSUMPA+OFF(DI), C0, C1; \
	VMOVUPD     C1, FSUMPA+OFF(DI); \
	VFMADD213PD FSUMPB+OFF(DI), C0, B; \
	VMOVUPD     B, FSUMPB+OFF(DI)

// FPREP_HALF(OFF): for one half at s2: FROWA012 = a01 + t12[s2] (a01 at
// R11), FROWP012 = exp(clamp(a012 + cz)) (cz at R12). Y0..Y3, Y14 clobbered.
#define FPREP_HALF(OFF) \
	VMOVUPD OFF(R11), Y0; \
	VADDPD  OFF(SI), Y0, Y0; \
	VMOVUPD Y0, FROWA012+OFF(DI); \
	VADDPD  OFF(R12), Y0, Y0; \
	VMAXPD  Y0, YCLAMPLO, Y0; \
	VMINPD  CLAMPHI, Y0, Y0; \
	EXP2(Y0, Y1, Y2, Y3); \
	VMOVUPD Y1, FROWP012+OFF(DI)

// func enumBlockFastAVX2(d, nS int, a01, phi01, g01, t12, tx23, tx03, uf2, uf3, w2, w3, cz, out, scr *float64)
//
// enumBlockFastAVX512 for AVX2 (same arguments and tables), the two halves
// interleaved as in enumBlockAVX2.
// General registers:
//   R8  = d·64             CX  = s2 countdown      DI  = scr
//   SI  = &t12[s2]         BX  = &tx23[s2][0]      DX  = &uf2[s2]   R10 = &W2[s2]
//   R9  = s3 countdown     R11 = &tx23[s2][s3]     R12 = &tx03[s3]
//   R13 = &uf3[s3]         R14 = &W3[s3]           AX  = k·64
// scr: row pairs (phi012[k], G012[k]) at k·128, acc2[k] at 1024 + k·128,
// then the F* rows above. Vector registers: Y0..Y6 chain A, Y7..Y13 chain
// B, Y14/Y15 = b for A/B.
TEXT ·enumBlockFastAVX2(SB), NOSPLIT, $0-120
	MOVQ d+0(FP), R8
	SHLQ $6, R8
	MOVQ nS+8(FP), CX
	MOVQ t12+40(FP), SI
	MOVQ tx23+48(FP), BX
	MOVQ uf2+64(FP), DX
	MOVQ w2+80(FP), R10
	MOVQ scr+112(FP), DI

	// sum1 = 0, acc1 = 0
	MOVQ    out+104(FP), R11
	VXORPD  Y0, Y0, Y0
	XORQ    AX, AX
fzeroout:
	VMOVUPD Y0, (R11)(AX*1)
	VMOVUPD Y0, 32(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, $192
	JB      fzeroout
	XORQ    AX, AX
fzeroacc1:
	VMOVUPD Y0, 192(R11)(AX*1)
	VMOVUPD Y0, 224(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      fzeroacc1

floops2:
	// Level s2: a012, P012; phi012 = phi01 + U2[s2], G012 = G01·F2[s2];
	// acc2 = 0; sum2 = 0.
	VMOVUPD CLAMPLO, YCLAMPLO
	MOVQ    a01+16(FP), R11
	MOVQ    cz+96(FP), R12
	FPREP_HALF(0)
	FPREP_HALF(32)
	MOVQ    phi01+24(FP), R11
	MOVQ    g01+32(FP), R12
	XORQ    AX, AX
	VXORPD  Y4, Y4, Y4
fprep2:
	VMOVUPD (R11)(AX*1), Y0
	VADDPD  (DX)(AX*2), Y0, Y0
	VMOVUPD Y0, (DI)(AX*2)
	VMOVUPD 32(R11)(AX*1), Y0
	VADDPD  32(DX)(AX*2), Y0, Y0
	VMOVUPD Y0, 32(DI)(AX*2)
	VMOVUPD (R12)(AX*1), Y0
	VMULPD  64(DX)(AX*2), Y0, Y0
	VMOVUPD Y0, 64(DI)(AX*2)
	VMOVUPD 32(R12)(AX*1), Y0
	VMULPD  96(DX)(AX*2), Y0, Y0
	VMOVUPD Y0, 96(DI)(AX*2)
	VMOVUPD Y4, 1024(DI)(AX*2)
	VMOVUPD Y4, 1056(DI)(AX*2)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      fprep2
	XORQ    AX, AX
fzerosum2:
	VMOVUPD Y4, FSUMP(DI)(AX*1)
	VMOVUPD Y4, FSUMP+32(DI)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, $192
	JB      fzerosum2
	MOVQ    nS+8(FP), R9
	MOVQ    BX, R11
	MOVQ    tx03+56(FP), R12
	MOVQ    uf3+72(FP), R13
	MOVQ    w3+88(FP), R14

floops3:
	// One configuration, both halves: a, p = P012·X23·X03, b = 0.
	FCONFIG_HALF(Y0, Y1, 0)
	FCONFIG_HALF(Y7, Y8, 32)
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	XORQ   AX, AX

floopk:
	// Hidden unit k: b += lc; p·tanh goes to acc2[k] and W3[s3][k].
	FASTUNIT_HALVES
	VADDPD  Y4, Y14, Y14
	VADDPD  Y11, Y15, Y15
	VMULPD  FROWP(DI), Y0, Y0
	VMULPD  FROWP+32(DI), Y7, Y7
	VADDPD  (R14)(AX*1), Y0, Y1
	VMOVUPD Y1, (R14)(AX*1)
	VADDPD  32(R14)(AX*1), Y7, Y8
	VMOVUPD Y8, 32(R14)(AX*1)
	VADDPD  1024(DI)(AX*2), Y0, Y1
	VMOVUPD Y1, 1024(DI)(AX*2)
	VADDPD  1056(DI)(AX*2), Y7, Y8
	VMOVUPD Y8, 1056(DI)(AX*2)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      floopk

	FEND_HALF(Y14, Y0, Y1, 0)
	FEND_HALF(Y15, Y7, Y8, 32)
	ADDQ $128, R11
	ADDQ $128, R12
	LEAQ (R13)(R8*2), R13
	ADDQ R8, R14
	DECQ R9
	JNZ  floops3

	// End of level s2: W2[s2] += acc2, acc1 += acc2, sum1 += sum2.
	MOVQ R11, BX // R11 ran through row s2 of tx23: it is row s2+1 now
	MOVQ out+104(FP), R11
	XORQ AX, AX
fflush2:
	VMOVUPD 1024(DI)(AX*2), Y0
	VMOVUPD 1056(DI)(AX*2), Y7
	VADDPD  (R10)(AX*1), Y0, Y1
	VMOVUPD Y1, (R10)(AX*1)
	VADDPD  32(R10)(AX*1), Y7, Y8
	VMOVUPD Y8, 32(R10)(AX*1)
	VADDPD  192(R11)(AX*1), Y0, Y1
	VMOVUPD Y1, 192(R11)(AX*1)
	VADDPD  224(R11)(AX*1), Y7, Y8
	VMOVUPD Y8, 224(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, R8
	JB      fflush2
	XORQ    AX, AX
fflushsum:
	VMOVUPD FSUMP(DI)(AX*1), Y0
	VADDPD  (R11)(AX*1), Y0, Y0
	VMOVUPD Y0, (R11)(AX*1)
	VMOVUPD FSUMP+32(DI)(AX*1), Y0
	VADDPD  32(R11)(AX*1), Y0, Y0
	VMOVUPD Y0, 32(R11)(AX*1)
	ADDQ    $64, AX
	CMPQ    AX, $192
	JB      fflushsum
	ADDQ    $64, SI
	LEAQ    (DX)(R8*2), DX
	ADDQ    R8, R10
	DECQ    CX
	JNZ     floops2

	VZEROUPPER
	RET

// TANHONLY2: Y7 = tanh Y3 = sign(x)·(−em1)/(2 + em1), em1 = expm1(−2|x|)
// = fma(2^k, p, 2^k − 1), exact near 0 (k = 0 gives em1 = p), so tiny and
// subnormal x keep full precision. Y4..Y10 clobbered.
#define TANHONLY2 \
	VORPD       SIGN, Y3, Y4; \
	VADDPD      Y4, Y4, Y5; \
	VMAXPD      Y5, YCLAMPLO, Y5; \
	EXPPARTS2(Y5, Y8, Y6, Y7); \
	VPADDQ      EXPONE, Y6, Y9; \
	VSUBPD      ONE, Y9, Y10; \
	VFMADD213PD Y10, Y9, Y8; \
	VADDPD      TWO, Y8, Y9; \
	VXORPD      SIGN, Y8, Y8; \
	VDIVPD      Y9, Y8, Y7; \
	VMOVUPD     SIGN, Y9; \
	VANDNPD     Y7, Y9, Y7; \
	VANDPD      Y9, Y3, Y9; \
	VORPD       Y9, Y7, Y7

// TAILMASK: Y13 = lane mask (all ones where i < CX), for CX in 1..3.
#define TAILMASK \
	VMOVQ        CX, X13; \
	VPBROADCASTQ X13, Y13; \
	VPCMPGTQ     iota<>(SB), Y13, Y13

// func tanhAVX2(dst, x *float64, n int)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPD CLAMPLO, YCLAMPLO

thloop:
	CMPQ    CX, $4
	JB      thtail
	VMOVUPD (SI), Y3
	TANHONLY2
	VMOVUPD Y7, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     thloop

thtail:
	TESTQ      CX, CX
	JZ         thdone
	TAILMASK
	VMASKMOVPD (SI), Y13, Y3
	TANHONLY2
	VMASKMOVPD Y7, Y13, (DI)

thdone:
	VZEROUPPER
	RET

// func expAVX2(dst, x *float64, n int)
// dst[i] = exp x[i] for x[i] in [−708, 709] (clamped there): the tables of
// the exp-free block, whose arguments stay within ±600.
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPD CLAMPLO, YCLAMPLO

exploop:
	CMPQ    CX, $4
	JB      exptail
	VMOVUPD (SI), Y5
	VMAXPD  Y5, YCLAMPLO, Y5
	VMINPD  CLAMPHI, Y5, Y5
	EXP2(Y5, Y8, Y6, Y7)
	VMOVUPD Y8, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     exploop

exptail:
	TESTQ      CX, CX
	JZ         expdone
	TAILMASK
	VMASKMOVPD (SI), Y13, Y5
	VMAXPD     Y5, YCLAMPLO, Y5
	VMINPD     CLAMPHI, Y5, Y5
	EXP2(Y5, Y8, Y6, Y7)
	VMASKMOVPD Y8, Y13, (DI)

expdone:
	VZEROUPPER
	RET

// func reluAVX2(dst, z *float64, n int)
// dst[i] = max(z[i], 0) as Go's max, 4 a step and the last n mod 4 one by
// one (VEX scalar forms, no masked stores).
TEXT ·reluAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   z+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPD Y1, Y1, Y1

r2loop:
	CMPQ    CX, $4
	JLT     r2tail
	VMOVUPD (SI), Y0
	VCMPPD  $0x16, Y1, Y0, Y2 // !(z ≤ 0), unordered true
	VANDPD  Y2, Y0, Y0
	VMOVUPD Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     r2loop

r2tail:
	TESTQ   CX, CX
	JZ      r2done
	VMOVSD  (SI), X0
	VCMPSD  $0x16, X1, X0, X2
	VANDPD  X2, X0, X0
	VMOVSD  X0, (DI)
	ADDQ    $8, SI
	ADDQ    $8, DI
	DECQ    CX
	JMP     r2tail

r2done:
	VZEROUPPER
	RET

// func reluMaskAVX2(grad, z *float64, n int)
// g[i] kept where the bits of z[i], as an int64, are > 0, 4 a step and the
// last n mod 4 one by one.
TEXT ·reluMaskAVX2(SB), NOSPLIT, $0-24
	MOVQ  grad+0(FP), DI
	MOVQ  z+8(FP), SI
	MOVQ  n+16(FP), CX
	VPXOR Y1, Y1, Y1

m2loop:
	CMPQ     CX, $4
	JLT      m2tail
	VMOVDQU  (SI), Y0
	VPCMPGTQ Y1, Y0, Y2 // z > 0 as int64
	VPAND    (DI), Y2, Y2
	VMOVDQU  Y2, (DI)
	ADDQ     $32, SI
	ADDQ     $32, DI
	SUBQ     $4, CX
	JMP      m2loop

m2tail:
	TESTQ    CX, CX
	JZ       m2done
	VMOVQ    (SI), X0
	VPCMPGTQ X1, X0, X2
	VMOVQ    (DI), X3
	VPAND    X3, X2, X2
	VMOVQ    X2, (DI)
	ADDQ     $8, SI
	ADDQ     $8, DI
	DECQ     CX
	JMP      m2tail

m2done:
	VZEROUPPER
	RET

// func fmaLoopAVX2(x *[12]float64, a, b float64, n int)
// n rounds of x_i ← x_i·a + b, the twelve chains in twelve registers.
TEXT ·fmaLoopAVX2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	VBROADCASTSD a+8(FP), Y12
	VBROADCASTSD b+16(FP), Y13
	MOVQ n+24(FP), CX
	VBROADCASTSD 0(SI), Y0
	VBROADCASTSD 8(SI), Y1
	VBROADCASTSD 16(SI), Y2
	VBROADCASTSD 24(SI), Y3
	VBROADCASTSD 32(SI), Y4
	VBROADCASTSD 40(SI), Y5
	VBROADCASTSD 48(SI), Y6
	VBROADCASTSD 56(SI), Y7
	VBROADCASTSD 64(SI), Y8
	VBROADCASTSD 72(SI), Y9
	VBROADCASTSD 80(SI), Y10
	VBROADCASTSD 88(SI), Y11
	TESTQ CX, CX
	JZ fmaLoopAVX2done
fmaLoopAVX2loop:
	VFMADD213PD Y13, Y12, Y0
	VFMADD213PD Y13, Y12, Y1
	VFMADD213PD Y13, Y12, Y2
	VFMADD213PD Y13, Y12, Y3
	VFMADD213PD Y13, Y12, Y4
	VFMADD213PD Y13, Y12, Y5
	VFMADD213PD Y13, Y12, Y6
	VFMADD213PD Y13, Y12, Y7
	VFMADD213PD Y13, Y12, Y8
	VFMADD213PD Y13, Y12, Y9
	VFMADD213PD Y13, Y12, Y10
	VFMADD213PD Y13, Y12, Y11
	DECQ CX
	JNZ fmaLoopAVX2loop
fmaLoopAVX2done:
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

// func adamAVX2(params, grad, m, v *float64, n int, c *AdamCoef)
//
// AdamGeneric for n a multiple of 4, 4 parameters a step: the operations of
// adamAVX512, with VDIVPD and VSQRTPD (IEEE's) and no fused products, so
// the bits of the pure-Go loop. c: β1, 1−β1, β2, 1−β2, c1, c2, lr, ε.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ         params+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), AX
	VBROADCASTSD 0(AX), Y0 // β1
	VBROADCASTSD 8(AX), Y1 // 1 − β1
	VBROADCASTSD 16(AX), Y2 // β2
	VBROADCASTSD 24(AX), Y3 // 1 − β2
	VBROADCASTSD 32(AX), Y4 // c1
	VBROADCASTSD 40(AX), Y5 // c2
	VBROADCASTSD 48(AX), Y6 // lr
	VBROADCASTSD 56(AX), Y7 // ε
	XORQ         BX, BX

a2loop:
	CMPQ    BX, CX
	JGE     a2done
	VMOVUPD (SI)(BX*8), Y8
	VMULPD  (R8)(BX*8), Y0, Y9 // β1·m
	VMULPD  Y8, Y1, Y10 // (1 − β1)·g
	VADDPD  Y10, Y9, Y9 // m
	VMOVUPD Y9, (R8)(BX*8)
	VMULPD  Y8, Y3, Y10 // (1 − β2)·g
	VMULPD  Y8, Y10, Y10 // ·g
	VMULPD  (R9)(BX*8), Y2, Y11 // β2·v
	VADDPD  Y10, Y11, Y11 // v
	VMOVUPD Y11, (R9)(BX*8)
	VDIVPD  Y4, Y9, Y9 // m/c1
	VMULPD  Y9, Y6, Y9 // lr·(m/c1)
	VDIVPD  Y5, Y11, Y11 // v/c2
	VSQRTPD Y11, Y11
	VADDPD  Y7, Y11, Y11 // √(v/c2) + ε
	VDIVPD  Y11, Y9, Y9
	VMOVUPD (DI)(BX*8), Y12
	VSUBPD  Y9, Y12, Y12
	VMOVUPD Y12, (DI)(BX*8)
	ADDQ    $4, BX
	JMP     a2loop

a2done:
	VZEROUPPER
	RET
