//go:build amd64 && gc && !purego

// AVX-512 twins of the Gibbs sampler's kernels (gibbs.go), AVX512F with
// AVX512DQ (VPMULLQ for the stream's 64-bit multiplies, VCVTUQQ2PD for its
// uniforms). Each draws exactly what its pure-Go twin draws: the stream is
// addressed, so the kernels compute many of its words at once, one per
// lane (8 qword lanes, or 16 dword lanes holding the two halves of 8
// words), in the layout gibbs.go describes.
//
// Contents:
//   fineBitsAVX512    d = 1 bit-sliced fine chain, 8 plane words at once;
//   catPermAVX512     categorical draws from tables of at most 64 rows,
//                     every threshold looked up with VPERMT2D/VPERMD;
//   catGatherAVX512   categorical draws from larger tables, binary search
//                     with VPGATHERDD;
//   centreAVX512      the coarse centre's Bernoulli draws;
//   lcTanhAVX512      tanh φ and the lane sums of lc φ;
//   sigmoidAVX512     the spin probabilities σ(±2x) of the tables.
//
// NEGEXP repeats negExp of gibbs.go operation for operation (no fused
// multiply-adds), so the last two agree with their twins bit for bit.
// coeffs_test.go checks every constant of the table below.

#include "textflag.h"

DATA g512<>+0x000(SB)/8, $0x9e3779b97f4a7c15 // SplitMix64's increment
DATA g512<>+0x008(SB)/8, $0xbf58476d1ce4e5b9 // Mix64's first multiplier
DATA g512<>+0x010(SB)/8, $0x94d049bb133111eb // Mix64's second multiplier
DATA g512<>+0x018(SB)/8, $0x1bbcdcbfa53e0a80 // 128·Gamma mod 2^64 (one plane word to the next)
DATA g512<>+0x020(SB)/8, $0x2c15e81951e98155 // 65·Gamma mod 2^64 (a plane word's coin)
DATA g512<>+0x028(SB)/8, $0xf1bbcdcbfa53e0a8 // 8·Gamma mod 2^64 (8 words on)
DATA g512<>+0x030(SB)/8, $-700.0 // negExp's floor
DATA g512<>+0x038(SB)/8, $1.4426950408889634 // 1/ln 2
DATA g512<>+0x040(SB)/8, $0.6931471804855391 // ln 2, high part (33 significant bits)
DATA g512<>+0x048(SB)/8, $7.440617110012397e-11 // ln 2 − high part
DATA g512<>+0x050(SB)/8, $4503599627371519.0 // 2^52 + 1023
DATA g512<>+0x058(SB)/8, $0x4330000000000000 // the bits of 2^52
DATA g512<>+0x060(SB)/8, $1.0
DATA g512<>+0x068(SB)/8, $2.0
DATA g512<>+0x070(SB)/8, $0.5
DATA g512<>+0x078(SB)/8, $-2.0
DATA g512<>+0x080(SB)/8, $0x8000000000000000 // sign bit
DATA g512<>+0x088(SB)/8, $0x7fffffffffffffff // all but the sign bit
DATA g512<>+0x090(SB)/8, $1.1102230246251565e-16 // 2^-53
DATA g512<>+0x098(SB)/8, $1.6059043836821613e-10 // 1/n!, n = 13 … 2
DATA g512<>+0x0a0(SB)/8, $2.08767569878681e-09
DATA g512<>+0x0a8(SB)/8, $2.505210838544172e-08
DATA g512<>+0x0b0(SB)/8, $2.755731922398589e-07
DATA g512<>+0x0b8(SB)/8, $2.7557319223985893e-06
DATA g512<>+0x0c0(SB)/8, $2.48015873015873e-05
DATA g512<>+0x0c8(SB)/8, $0.0001984126984126984
DATA g512<>+0x0d0(SB)/8, $0.001388888888888889
DATA g512<>+0x0d8(SB)/8, $0.008333333333333333
DATA g512<>+0x0e0(SB)/8, $0.041666666666666664
DATA g512<>+0x0e8(SB)/8, $0.16666666666666666
DATA g512<>+0x0f0(SB)/8, $0.5
DATA g512<>+0x0f8(SB)/8, $4294967296.0 // 2^32
DATA g512<>+0x100(SB)/8, $4294967295.0 // 2^32 − 1
DATA g512<>+0x108(SB)/8, $0xe3779b97f4a7c150 // 16·Gamma mod 2^64 (16 words on)
GLOBL g512<>(SB), RODATA|NOPTR, $272

DATA iota8<>+0x000(SB)/8, $0
DATA iota8<>+0x008(SB)/8, $1
DATA iota8<>+0x010(SB)/8, $2
DATA iota8<>+0x018(SB)/8, $3
DATA iota8<>+0x020(SB)/8, $4
DATA iota8<>+0x028(SB)/8, $5
DATA iota8<>+0x030(SB)/8, $6
DATA iota8<>+0x038(SB)/8, $7
GLOBL iota8<>(SB), RODATA|NOPTR, $64

DATA dw512<>+0x000(SB)/8, $0x0000000100000001 // dword ones
DATA dw512<>+0x008(SB)/8, $0x0000002000000020 // dword 32s
DATA dw512<>+0x010(SB)/8, $0x0000000700000007 // dword 7s
DATA dw512<>+0x018(SB)/8, $0x0007000700070007 // word 7s
GLOBL dw512<>(SB), RODATA|NOPTR, $32

// oddw: the word index 2i + 1 for i = 0…31 (the high halves of 32 dwords
// in two registers, for VPERMI2W)
DATA oddw<>+0x000(SB)/8, $0x0007000500030001
DATA oddw<>+0x008(SB)/8, $0x000f000d000b0009
DATA oddw<>+0x010(SB)/8, $0x0017001500130011
DATA oddw<>+0x018(SB)/8, $0x001f001d001b0019
DATA oddw<>+0x020(SB)/8, $0x0027002500230021
DATA oddw<>+0x028(SB)/8, $0x002f002d002b0029
DATA oddw<>+0x030(SB)/8, $0x0037003500330031
DATA oddw<>+0x038(SB)/8, $0x003f003d003b0039
GLOBL oddw<>(SB), RODATA|NOPTR, $64

#define GAMMA g512<>+0x000(SB)
#define MIX1 g512<>+0x008(SB)
#define MIX2 g512<>+0x010(SB)
#define GAMMA128 g512<>+0x018(SB)
#define GAMMA65 g512<>+0x020(SB)
#define GAMMA8 g512<>+0x028(SB)
#define NEGEXPMIN g512<>+0x030(SB)
#define LOG2E g512<>+0x038(SB)
#define LN2HI g512<>+0x040(SB)
#define LN2LO g512<>+0x048(SB)
#define EXPMAGIC g512<>+0x050(SB)
#define TWO52BITS g512<>+0x058(SB)
#define ONE g512<>+0x060(SB)
#define TWO g512<>+0x068(SB)
#define HALF g512<>+0x070(SB)
#define MTWO g512<>+0x078(SB)
#define SIGN g512<>+0x080(SB)
#define ABSMASK g512<>+0x088(SB)
#define TWOM53 g512<>+0x090(SB)
#define T13 g512<>+0x098(SB)
#define T12 g512<>+0x0a0(SB)
#define T11 g512<>+0x0a8(SB)
#define T10 g512<>+0x0b0(SB)
#define T9 g512<>+0x0b8(SB)
#define T8 g512<>+0x0c0(SB)
#define T7 g512<>+0x0c8(SB)
#define T6 g512<>+0x0d0(SB)
#define T5 g512<>+0x0d8(SB)
#define T4 g512<>+0x0e0(SB)
#define T3 g512<>+0x0e8(SB)
#define T2 g512<>+0x0f0(SB)
#define TWO32 g512<>+0x0f8(SB)
#define MAXU32 g512<>+0x100(SB)
#define GAMMA16 g512<>+0x108(SB)
#define IOTA iota8<>(SB)
#define DONES dw512<>+0x000(SB)
#define D32 dw512<>+0x008(SB)
#define D7 dw512<>+0x010(SB)
#define W7 dw512<>+0x018(SB)
#define ODDW oddw<>(SB)

// MIX(x, t): x = Mix64(x) in every qword lane (t is clobbered); the
// multipliers are in ZMIX1, ZMIX2.
#define ZMIX1 Z10
#define ZMIX2 Z11
#define MIX(x, t) \
	VPSRLQ  $30, x, t; \
	VPXORQ  t, x, x; \
	VPMULLQ ZMIX1, x, x; \
	VPSRLQ  $27, x, t; \
	VPXORQ  t, x, x; \
	VPMULLQ ZMIX2, x, x; \
	VPSRLQ  $31, x, t; \
	VPXORQ  t, x, x

// ---------------------------------------------------------------------------
// func fineBitsAVX512(c0, c1, c2, c3 *uint64, nblk, steps int, p, key uint64)
//
// FineChainBitsGeneric on words [0, 8·nblk) of the corner planes: each
// block of 8 words (one per qword lane, word w in lane w mod 8) runs all
// steps in registers. BernWord for the four sites of a half-step runs as
// one loop over the bit planes of p, until every lane of the four is
// decided or p has no set bits left: a lane decided early is unchanged by
// the planes after (its undecided mask is zero), so the result is
// BernWord's.
//
// Registers: Z0–Z3 corners, Z4–Z7 hidden sites, Z8 the lanes' counter
// offsets (w·128·Gamma), Z9 Gamma, Z10–Z11 the multipliers, Z12–Z15 the
// sites' counters, Z16–Z19 their Bernoulli words, Z20–Z23 their undecided
// lanes, Z24–Z29 scratch.
//
// SITEX(s, z): z = Z8 + key + Sub(R12, s)·Gamma, the counter of site s of
// phase R12 (R15 clobbered).
#define SITEX(s, z) \
	MOVQ         R12, R15; \
	SHLQ         $3, R15; \
	ORQ          $s, R15; \
	SHLQ         $32, R15; \
	IMULQ        GAMMA, R15; \
	ADDQ         R10, R15; \
	VPBROADCASTQ R15, z; \
	VPADDQ       Z8, z, z

// PLANE(x, lt, und): one bit plane of BernWord for one site; Z26 holds
// the plane's bit of p in every bit (all ones or zero).
#define PLANE(x, lt, und) \
	VPADDQ     Z9, x, x; \
	VMOVDQA64  x, Z24; \
	MIX(Z24, Z25); \
	VPANDNQ    und, Z24, Z25; \
	VPTERNLOGQ $0xf8, Z26, Z25, lt; \
	VPTERNLOGQ $0x90, Z26, Z24, und

// BERN4: Z16–Z19 = BernWord(p) for the counters Z12–Z15 (which advance).
#define BERN4(lloop, ldone) \
	VPXORQ       Z16, Z16, Z16; \
	VPXORQ       Z17, Z17, Z17; \
	VPXORQ       Z18, Z18, Z18; \
	VPXORQ       Z19, Z19, Z19; \
	VPTERNLOGQ   $0xff, Z20, Z20, Z20; \
	VPTERNLOGQ   $0xff, Z21, Z21, Z21; \
	VPTERNLOGQ   $0xff, Z22, Z22, Z22; \
	VPTERNLOGQ   $0xff, Z23, Z23, Z23; \
	TESTQ        DX, DX; \
	JZ           ldone; \
	MOVQ         $0x8000000000000000, R13; \
	MOVQ         DX, R14; \
	NEGQ         R14; \
	ANDQ         DX, R14; \
lloop: \
	MOVQ         DX, AX; \
	ANDQ         R13, AX; \
	NEGQ         AX; \
	SBBQ         AX, AX; \
	VPBROADCASTQ AX, Z26; \
	PLANE(Z12, Z16, Z20); \
	PLANE(Z13, Z17, Z21); \
	PLANE(Z14, Z18, Z22); \
	PLANE(Z15, Z19, Z23); \
	SHRQ         $1, R13; \
	CMPQ         R13, R14; \
	JB           ldone; \
	VPORQ        Z20, Z21, Z27; \
	VPTERNLOGQ   $0xfe, Z23, Z22, Z27; \
	VPTESTMQ     Z27, Z27, K1; \
	KORTESTW     K1, K1; \
	JNZ          lloop; \
ldone:

// FLIP(s, a, b, lt, dst): dst = a ^ (a^b ? coin : lt), the coin being word
// 64 of site s's plane word (SITEX's counter + 65·Gamma).
#define FLIP(s, a, b, lt, dst) \
	SITEX(s, Z24); \
	VPADDQ.BCST GAMMA65, Z24, Z24; \
	MIX(Z24, Z25); \
	VPXORQ      a, b, Z28; \
	VPTERNLOGQ  $0xca, lt, Z24, Z28; \
	VPXORQ      Z28, a, dst

TEXT ·fineBitsAVX512(SB), NOSPLIT, $0-64
	MOVQ         c0+0(FP), DI
	MOVQ         c1+8(FP), SI
	MOVQ         c2+16(FP), R8
	MOVQ         c3+24(FP), R9
	MOVQ         nblk+32(FP), BX
	MOVQ         p+48(FP), DX
	MOVQ         key+56(FP), R10
	VPBROADCASTQ GAMMA, Z9
	VPBROADCASTQ MIX1, ZMIX1
	VPBROADCASTQ MIX2, ZMIX2
	XORQ         R11, R11 // first word of the block

fbblock:
	TESTQ        BX, BX
	JZ           fbdone
	VMOVDQU64    (DI), Z0
	VMOVDQU64    (SI), Z1
	VMOVDQU64    (R8), Z2
	VMOVDQU64    (R9), Z3
	VPBROADCASTQ R11, Z24
	VPADDQ       IOTA, Z24, Z24
	VPMULLQ.BCST GAMMA128, Z24, Z8
	MOVQ         steps+40(FP), CX
	MOVQ         $1, R12 // FinePhase(0)

fbstep:
	TESTQ CX, CX
	JZ    fbstore
	// hidden sites given the corners: e0 (c0,c1), e1 (c1,c2), e2 (c2,c3),
	// e3 (c0,c3)
	SITEX(0, Z12)
	SITEX(1, Z13)
	SITEX(2, Z14)
	SITEX(3, Z15)
	BERN4(fbhloop, fbhdone)
	FLIP(0, Z0, Z1, Z16, Z4)
	FLIP(1, Z1, Z2, Z17, Z5)
	FLIP(2, Z2, Z3, Z18, Z6)
	FLIP(3, Z0, Z3, Z19, Z7)
	INCQ  R12
	// corners given the hidden sites: c0 (e0,e3), c1 (e0,e1), c2 (e1,e2),
	// c3 (e2,e3)
	SITEX(0, Z12)
	SITEX(1, Z13)
	SITEX(2, Z14)
	SITEX(3, Z15)
	BERN4(fbcloop, fbcdone)
	FLIP(0, Z4, Z7, Z16, Z0)
	FLIP(1, Z4, Z5, Z17, Z1)
	FLIP(2, Z5, Z6, Z18, Z2)
	FLIP(3, Z6, Z7, Z19, Z3)
	INCQ  R12
	DECQ  CX
	JMP   fbstep

fbstore:
	VMOVDQU64 Z0, (DI)
	VMOVDQU64 Z1, (SI)
	VMOVDQU64 Z2, (R8)
	VMOVDQU64 Z3, (R9)
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, R8
	ADDQ      $64, R9
	ADDQ      $8, R11
	DECQ      BX
	JMP       fbblock

fbdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Categorical draws, 16 a loop (one per dword lane). The row of draw n is
// r = a[n]<<shift | b[n] (CatPair: shift d; CatOne: a = b, shift 0), its
// uniform the 32-bit half n&1 of word n/2: word 8i+j of the loop's block
// is qword lane j, whose low and high halves are dword lanes 2j and 2j+1.
//
// RANDU(x, u): u = the 16 uniforms of the block whose counters are x,
// and x advances by 8 words (Z9 = 8·Gamma).
#define RANDU(x, u) \
	VMOVDQA64 x, u; \
	MIX(u, Z25); \
	VPADDQ    Z9, x, x

// ROWS(a, b, r): r = the 16 rows (a&m)<<shift | (b&m) of the draws at a,
// b (bytes), X12 holding shift and Z6 m = S−1 in every dword.
#define ROWS(a, b, r) \
	VPMOVZXBD (a), r; \
	VPMOVZXBD (b), Z26; \
	VPANDD    Z6, r, r; \
	VPANDD    Z6, Z26, Z26; \
	VPSLLD    X12, r, r; \
	VPORD     Z26, r, r

// func catPermAVX512(dst, a, b *uint8, n int, tab *uint32, R, nt, shift int, key, base uint64)
//
// n a multiple of 16, R = 16 (the table padded to 16 rows) or 64, nt
// thresholds per row (S−1). Every threshold j of the row is looked up and
// compared with the uniform; the state is the count of thresholds ≤ u.
TEXT ·catPermAVX512(SB), NOSPLIT, $0-80
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVQ         tab+32(FP), R9
	MOVQ         R+40(FP), R10
	MOVQ         nt+48(FP), R11
	MOVQ         shift+56(FP), AX
	VMOVQ        AX, X12
	MOVQ         $1, AX
	MOVQ         R11, CX
	INCQ         CX
	BSRQ         CX, CX // d (nt + 1 = 2^d)
	SHLQ         CX, AX
	DECQ         AX
	VPBROADCASTD AX, Z6 // S − 1
	MOVQ         n+24(FP), CX
	VPBROADCASTQ MIX1, ZMIX1
	VPBROADCASTQ MIX2, ZMIX2
	VPBROADCASTQ GAMMA8, Z9
	VPBROADCASTD DONES, Z13
	VPBROADCASTD D32, Z14
	// x = key + (base + 1 + lane)·Gamma: Rand(key, base + lane)
	MOVQ         base+72(FP), AX
	INCQ         AX
	VPBROADCASTQ AX, Z8
	VPADDQ       IOTA, Z8, Z8
	VPMULLQ.BCST GAMMA, Z8, Z8
	MOVQ         key+64(FP), AX
	VPBROADCASTQ AX, Z15
	VPADDQ       Z15, Z8, Z8
	SHLQ         $2, R10 // bytes per threshold's table

cploop:
	TESTQ     CX, CX
	JZ        cpdone
	ROWS(SI, R8, Z0)
	RANDU(Z8, Z1)
	VPXORD    Z2, Z2, Z2 // count
	VPTESTMD  Z14, Z0, K2 // rows ≥ 32
	MOVQ      R9, BX
	MOVQ      R11, DX
	CMPQ      R10, $64
	JE        cp16

cp64:
	VMOVDQU32 (BX), Z3
	VPERMT2D  64(BX), Z0, Z3
	VMOVDQU32 128(BX), Z4
	VPERMT2D  192(BX), Z0, Z4
	VPBLENDMD Z4, Z3, K2, Z3
	VPCMPUD   $2, Z1, Z3, K3 // threshold ≤ u
	VPADDD    Z13, Z2, K3, Z2
	ADDQ      R10, BX
	DECQ      DX
	JNZ       cp64
	JMP       cpstore

cp16:
	VPERMD    (BX), Z0, Z3
	VPCMPUD   $2, Z1, Z3, K3
	VPADDD    Z13, Z2, K3, Z2
	ADDQ      R10, BX
	DECQ      DX
	JNZ       cp16

cpstore:
	VPMOVDB Z2, (DI)
	ADDQ    $16, DI
	ADDQ    $16, SI
	ADDQ    $16, R8
	SUBQ    $16, CX
	JMP     cploop

cpdone:
	VZEROUPPER
	RET

// func catGatherAVX512(dst, a, b *uint8, n int, tab *uint32, logR, d, shift int, key, base uint64)
//
// n a multiple of 16. A binary search over the row's thresholds, one
// VPGATHERDD a level: at level step = 2^(d−1) … 1 the threshold is
// (i + step − 1)·R + r.
TEXT ·catGatherAVX512(SB), NOSPLIT, $0-80
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVQ         tab+32(FP), R9
	MOVQ         logR+40(FP), AX
	VMOVQ        AX, X11
	MOVQ         d+48(FP), R11
	MOVQ         shift+56(FP), AX
	VMOVQ        AX, X12
	MOVQ         $1, AX
	MOVQ         R11, CX
	SHLQ         CX, AX
	MOVQ         AX, R12
	SHRQ         $1, R12 // 2^(d−1), the first step
	DECQ         AX
	VPBROADCASTD AX, Z6 // S − 1
	MOVQ         n+24(FP), CX
	VPBROADCASTQ MIX1, ZMIX1
	VPBROADCASTQ MIX2, Z7
	VPBROADCASTQ GAMMA8, Z9
	MOVQ         base+72(FP), AX
	INCQ         AX
	VPBROADCASTQ AX, Z8
	VPADDQ       IOTA, Z8, Z8
	VPMULLQ.BCST GAMMA, Z8, Z8
	MOVQ         key+64(FP), AX
	VPBROADCASTQ AX, Z15
	VPADDQ       Z15, Z8, Z8

cgloop:
	TESTQ     CX, CX
	JZ        cgdone
	ROWS(SI, R8, Z0)
	// RANDU with the second multiplier in Z7 (Z11 holds log R)
	VMOVDQA64 Z8, Z1
	VPSRLQ    $30, Z1, Z25
	VPXORQ    Z25, Z1, Z1
	VPMULLQ   ZMIX1, Z1, Z1
	VPSRLQ    $27, Z1, Z25
	VPXORQ    Z25, Z1, Z1
	VPMULLQ   Z7, Z1, Z1
	VPSRLQ    $31, Z1, Z25
	VPXORQ    Z25, Z1, Z1
	VPADDQ    Z9, Z8, Z8
	VPXORD    Z2, Z2, Z2 // i
	MOVQ      R12, DX // step

cglevel:
	LEAQ         -1(DX), AX
	VPBROADCASTD AX, Z3
	VPADDD       Z2, Z3, Z3 // i + step − 1
	VPSLLD       X11, Z3, Z3
	VPADDD       Z0, Z3, Z3 // · R + r
	KXNORW       K1, K1, K1
	VPXORD       Z4, Z4, Z4
	VPGATHERDD   (R9)(Z3*4), K1, Z4
	VPCMPUD      $2, Z1, Z4, K3 // threshold ≤ u
	VPBROADCASTD DX, Z5
	VPADDD       Z5, Z2, K3, Z2
	SHRQ         $1, DX
	JNZ          cglevel
	VPMOVDB      Z2, (DI)
	ADDQ         $16, DI
	ADDQ         $16, SI
	ADDQ         $16, R8
	SUBQ         $16, CX
	JMP          cgloop

cgdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func fineChain3AVX512(desc *[32]uintptr, n, steps int, key uint64)
//
// FineChainGeneric for d = 3 and n a multiple of 32 (AVX512BW): desc
// holds, for the eight sites of a step in order (e0…e3, then c0…c3), the
// pointers dst, a, b of the draws and the site's table (threshold-major,
// 64 rows, 7 thresholds of 32 bits). It draws 32 samples a loop, in word
// lanes.
//
// The state is #{j : T_j ≤ u}. A row's thresholds do not decrease, so
// three comparisons find it, as a binary search: T_3 ≤ u, then T_1 or T_5,
// then T_0, T_2, T_4 or T_6 (each looked up for every lane and the one the
// lane needs blended in). And T_j ≤ u holds exactly when the high halves
// compare T_j^hi < u^hi, or are equal and the low halves decide. So each
// visit of a site first keeps the high halves of its thresholds in Z0–Z13
// (threshold j's 64 rows in Z2j, Z2j+1: one VPERMI2W a lookup, for 32
// lanes), and the loop compares high halves. Equal high halves in a
// comparison (chance about 3·2^-16 a draw) send the loop's 32 draws to the
// exact count on the full thresholds, 16 lanes at a time from memory
// (SLK), as catPermAVX512 does: either way the state is the pure-Go
// twin's, bit for bit.
//
// Registers: Z14 the word index 2i+1 (high halves of dwords), Z15, Z27,
// Z26 words of 1, 2 and 4, Z16/Z17 the 32 uniforms (dwords: draws 0–15,
// 16–31), Z18 their high halves, Z19 rows, Z21 count, Z29 the minimum of
// T^hi ⊕ u^hi over the comparisons (zero in a lane where a high half is
// equal; a running minimum costs less than comparing for equality into
// masks), Z30 the counters of the next 8 words.

// WHI(off, dst): dst = the high halves of rows 0–31 of the 64 dwords at
// off(R9).
#define WHI(off, dst) \
	VMOVDQU32 off(R9), Z22; \
	VMOVDQA64 Z14, dst; \
	VPERMI2W  off+64(R9), Z22, dst

// SLK(off, u): Z26 += (T ≤ u) in 16 dword lanes for the threshold at
// off(R9), rows in Z23 (K2: rows ≥ 32).
#define SLK(off, u) \
	VMOVDQU32   off(R9), Z25; \
	VMOVDQA32   Z23, Z27; \
	VPERMI2D    off+64(R9), Z25, Z27; \
	VMOVDQU32   off+128(R9), Z25; \
	VMOVDQA32   Z23, Z28; \
	VPERMI2D    off+192(R9), Z25, Z28; \
	VPBLENDMD   Z28, Z27, K2, Z27; \
	VPCMPUD     $2, u, Z27, K3; \
	VPADDD.BCST DONES, Z26, K3, Z26

// SHALF(off, u): the exact draws of the 16 samples at off of the block
// (a at SI, b at R8, dst at DI), uniforms u.
#define SHALF(off, u) \
	VPMOVZXBD     off(SI), Z23; \
	VPMOVZXBD     off(R8), Z24; \
	VPANDD.BCST   D7, Z23, Z23; \
	VPANDD.BCST   D7, Z24, Z24; \
	VPSLLD        $3, Z23, Z23; \
	VPORD         Z24, Z23, Z23; \
	VPTESTMD.BCST D32, Z23, K2; \
	VPXORD        Z26, Z26, Z26; \
	SLK(0, u); \
	SLK(256, u); \
	SLK(512, u); \
	SLK(768, u); \
	SLK(1024, u); \
	SLK(1280, u); \
	SLK(1536, u); \
	VPMOVDB       Z26, off(DI)

TEXT ·fineChain3AVX512(SB), NOSPLIT, $64-32
	MOVQ         desc+0(FP), BX
	MOVQ         key+24(FP), R10
	VMOVDQU64    IOTA, Z29
	VPMULLQ.BCST GAMMA, Z29, Z29
	VMOVDQU64    Z29, 0(SP) // lane·Gamma
	VMOVDQU64    ODDW, Z14
	MOVL         $0x00010001, AX
	VPBROADCASTD AX, Z15
	MOVL         $0x00040004, AX
	VPBROADCASTD AX, Z26
	MOVL         $0x00020002, AX
	VPBROADCASTD AX, Z27
	MOVQ         steps+16(FP), CX
	MOVQ         $1, R12 // FinePhase(t)

f3step:
	TESTQ CX, CX
	JZ    f3done
	XORQ  R13, R13 // site

f3site:
	MOVQ         R13, AX
	SHLQ         $5, AX
	MOVQ         0(BX)(AX*1), DI
	MOVQ         8(BX)(AX*1), SI
	MOVQ         16(BX)(AX*1), R8
	MOVQ         24(BX)(AX*1), R9
	// counters key + (Sub(phase, s) + 1 + lane)·Gamma, phase = R12 + i/4,
	// s = i mod 4
	MOVQ         R13, AX
	SHRQ         $2, AX
	ADDQ         R12, AX
	SHLQ         $3, AX
	MOVQ         R13, R15
	ANDQ         $3, R15
	ORQ          R15, AX
	SHLQ         $32, AX
	INCQ         AX
	IMULQ        GAMMA, AX
	ADDQ         R10, AX
	VPBROADCASTQ AX, Z30
	VPADDQ       0(SP), Z30, Z30
	WHI(0, Z0)
	WHI(128, Z1)
	WHI(256, Z2)
	WHI(384, Z3)
	WHI(512, Z4)
	WHI(640, Z5)
	WHI(768, Z6)
	WHI(896, Z7)
	WHI(1024, Z8)
	WHI(1152, Z9)
	WHI(1280, Z10)
	WHI(1408, Z11)
	WHI(1536, Z12)
	WHI(1664, Z13)
	MOVQ         n+8(FP), DX

f3blk:
	TESTQ        DX, DX
	JZ           f3next
	VPMOVZXBW    (SI), Z19
	VPMOVZXBW    (R8), Z20
	VPANDD.BCST  W7, Z20, Z20
	VPSLLW       $3, Z19, Z19
	VPORD        Z20, Z19, Z19 // rows (VPERMI2W reads their low 6 bits)
	VMOVDQA64    Z30, Z16
	VPADDQ.BCST  GAMMA8, Z30, Z17
	VPADDQ.BCST  GAMMA16, Z30, Z30
	VPSRLQ       $30, Z16, Z22
	VPSRLQ       $30, Z17, Z23
	VPXORQ       Z22, Z16, Z16
	VPXORQ       Z23, Z17, Z17
	VPMULLQ.BCST MIX1, Z16, Z16
	VPMULLQ.BCST MIX1, Z17, Z17
	VPSRLQ       $27, Z16, Z22
	VPSRLQ       $27, Z17, Z23
	VPXORQ       Z22, Z16, Z16
	VPXORQ       Z23, Z17, Z17
	VPMULLQ.BCST MIX2, Z16, Z16
	VPMULLQ.BCST MIX2, Z17, Z17
	VPSRLQ       $31, Z16, Z22
	VPSRLQ       $31, Z17, Z23
	VPXORQ       Z22, Z16, Z16 // uniforms of draws 0–15
	VPXORQ       Z23, Z17, Z17 // and 16–31
	VMOVDQA64    Z14, Z18
	VPERMI2W     Z17, Z16, Z18 // their high halves
	// binary search: T3, then T1 or T5, then T0, T2, T4 or T6 (the
	// thresholds of a row do not decrease, so three comparisons count them)
	VMOVDQA64    Z19, Z20
	VPERMI2W     Z7, Z6, Z20 // T3
	VPCMPUW      $1, Z18, Z20, K1 // state ≥ 4
	VPXORD       Z18, Z20, Z29 // min of T^hi ⊕ u^hi: 0 where equal
	VMOVDQA64    Z19, Z20
	VPERMI2W     Z3, Z2, Z20 // T1
	VMOVDQA64    Z19, Z22
	VPERMI2W     Z11, Z10, Z22 // T5
	VPBLENDMW    Z22, Z20, K1, Z20
	VPCMPUW      $1, Z18, Z20, K2 // state ≥ 2 or ≥ 6
	VPXORD       Z18, Z20, Z20
	VPMINUW      Z20, Z29, Z29
	VMOVDQA64    Z19, Z20
	VPERMI2W     Z1, Z0, Z20 // T0
	VMOVDQA64    Z19, Z22
	VPERMI2W     Z5, Z4, Z22 // T2
	VMOVDQA64    Z19, Z23
	VPERMI2W     Z9, Z8, Z23 // T4
	VMOVDQA64    Z19, Z24
	VPERMI2W     Z13, Z12, Z24 // T6
	VPBLENDMW    Z22, Z20, K2, Z20
	VPBLENDMW    Z24, Z23, K2, Z23
	VPBLENDMW    Z23, Z20, K1, Z20
	VPCMPUW      $1, Z18, Z20, K3 // the last bit
	VPXORD       Z18, Z20, Z20
	VPMINUW      Z20, Z29, Z29
	VMOVDQU16.Z  Z26, K1, Z21 // count = 4·K1 + 2·K2 + K3
	VPADDW       Z27, Z21, K2, Z21
	VPADDW       Z15, Z21, K3, Z21
	VPTESTNMW    Z29, Z29, K5
	KORTESTD     K5, K5
	JNZ          f3exact
	VPMOVWB      Z21, (DI)

f3adv:
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	SUBQ $32, DX
	JMP  f3blk

f3exact:
	SHALF(0, Z16)
	SHALF(16, Z17)
	MOVL         $0x00040004, AX // the count's constants, which SHALF used
	VPBROADCASTD AX, Z26
	MOVL         $0x00020002, AX
	VPBROADCASTD AX, Z27
	JMP          f3adv

f3next:
	INCQ R13
	CMPQ R13, $8
	JB   f3site
	ADDQ $2, R12
	DECQ CX
	JMP  f3step

f3done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func centreAVX512(dst *uint8, th *float64, n, N, d int, key, base uint64)
//
// CentreStatesGeneric for the first n sites (a multiple of 8) of N, 8
// sites a loop (one per qword lane): spin k of site m reads word
// base + m·d + k and th[k·N + m].
TEXT ·centreAVX512(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         th+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         N+24(FP), R13
	SHLQ         $3, R13 // bytes from spin k's th to spin k+1's
	MOVQ         d+32(FP), R11
	VPBROADCASTQ MIX1, ZMIX1
	VPBROADCASTQ MIX2, ZMIX2
	VPBROADCASTQ GAMMA, Z9
	VBROADCASTSD HALF, Z12
	VBROADCASTSD TWOM53, Z13
	// Z8 = key + (base + 1 + lane·d)·Gamma: word 0 of lane's site
	VPBROADCASTQ R11, Z0
	VPMULLQ      IOTA, Z0, Z0 // lane·d
	VPBROADCASTQ R11, Z14
	VPSLLQ       $3, Z14, Z14 // 8d words
	MOVQ         base+48(FP), AX
	INCQ         AX
	VPBROADCASTQ AX, Z8
	VPADDQ       Z0, Z8, Z8
	VPMULLQ      Z9, Z8, Z8
	MOVQ         key+40(FP), AX
	VPBROADCASTQ AX, Z1
	VPADDQ       Z1, Z8, Z8
	VPMULLQ      Z9, Z14, Z15 // 8d·Gamma: the next 8 sites

celoop:
	TESTQ     CX, CX
	JZ        cedone
	VPXORQ    Z2, Z2, Z2 // states
	VMOVDQA64 Z8, Z3 // counters of spin k
	MOVQ      $1, AX // 1 << k
	MOVQ      SI, R9 // th of spin k
	MOVQ      R11, BX

cespin:
	VMOVDQA64    Z3, Z4
	MIX(Z4, Z25)
	VPSRLQ       $11, Z4, Z4
	VCVTUQQ2PD   Z4, Z4
	VMULPD       Z13, Z4, Z4 // u
	VMOVUPD      (R9), Z5
	VMULPD       Z12, Z5, Z5
	VADDPD       Z12, Z5, Z5 // q = 0.5 + 0.5·th
	VCMPPD       $0x1d, Z5, Z4, K2 // u ≥ q
	VPBROADCASTQ AX, Z6
	VPORQ        Z6, Z2, K2, Z2
	VPADDQ       Z9, Z3, Z3
	SHLQ         $1, AX
	ADDQ         R13, R9
	DECQ         BX
	JNZ          cespin
	VPMOVQB      Z2, X2
	VMOVQ        X2, (DI)
	ADDQ         $8, DI
	ADDQ         $64, SI
	VPADDQ       Z15, Z8, Z8
	SUBQ         $8, CX
	JMP          celoop

cedone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func prodAVX512(dst, a, b *uint8, n int, ea, eb *float64, d, mode int, key, base uint64)
//
// ProdPairGeneric for n a multiple of 8, 8 draws a loop (qword lanes): the
// counters of lane l start at key + (base + 1 + l·h)·Gamma, h = ⌈d/2⌉; spin
// k takes the low (k even) or high half of word k/2; the factors are
// looked up with VPERMPD (mode 0, S ≤ 8), VPERMT2PD (mode 1, S = 16) or
// VGATHERQPD (mode 2).
TEXT ·prodAVX512(SB), NOSPLIT, $0-80
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), R8
	MOVQ         n+24(FP), CX
	MOVQ         d+48(FP), R11
	MOVQ         mode+56(FP), R12
	VPBROADCASTQ MIX1, ZMIX1
	VPBROADCASTQ MIX2, ZMIX2
	VPBROADCASTQ GAMMA, Z12
	VPBROADCASTQ ABSMASK, Z15
	VPSRLQ       $31, Z15, Z15 // the low 32 bits
	VBROADCASTSD TWO32, Z16
	MOVQ         $1, AX
	MOVQ         R11, R13
	MOVQ         R11, CX
	SHLQ         CX, AX // S
	MOVQ         AX, R14
	SHLQ         $3, R14 // bytes of one spin's factors
	DECQ         AX
	VPBROADCASTQ AX, Z14 // S − 1
	INCQ         R13
	SHRQ         $1, R13 // h
	// Z3 = key + (base + 1 + l·h)·Gamma; Z13 = 8h·Gamma
	VPBROADCASTQ R13, Z0
	VPMULLQ      IOTA, Z0, Z0
	MOVQ         base+72(FP), AX
	INCQ         AX
	VPBROADCASTQ AX, Z3
	VPADDQ       Z0, Z3, Z3
	VPMULLQ      Z12, Z3, Z3
	MOVQ         key+64(FP), AX
	VPBROADCASTQ AX, Z1
	VPADDQ       Z1, Z3, Z3
	MOVQ         R13, AX
	SHLQ         $3, AX
	VPBROADCASTQ AX, Z13
	VPMULLQ      Z12, Z13, Z13
	MOVQ         n+24(FP), CX

prloop:
	TESTQ        CX, CX
	JZ           prdone
	VPMOVZXBQ    (SI), Z0
	VPANDQ       Z14, Z0, Z0
	VPMOVZXBQ    (R8), Z1
	VPANDQ       Z14, Z1, Z1
	VPXORQ       Z2, Z2, Z2 // states
	VMOVDQA64    Z3, Z18 // the counters of spins 0, 1
	MOVQ         $1, AX
	VPBROADCASTQ AX, Z17 // bit k
	MOVQ         ea+32(FP), R9
	MOVQ         eb+40(FP), R10
	XORQ         BX, BX // k

prspin:
	TESTQ        $1, BX
	JNZ          prodd
	VMOVDQA64    Z18, Z4
	MIX(Z4, Z25)
	VPADDQ       Z12, Z18, Z18
	VPANDQ       Z15, Z4, Z5
	JMP          prconv

prodd:
	VPSRLQ       $32, Z4, Z5

prconv:
	VCVTUQQ2PD   Z5, Z5 // U
	CMPQ         R12, $1
	JE           prperm2
	JA           prgather
	VPERMPD      (R9), Z0, Z6
	VPERMPD      (R10), Z1, Z7
	JMP          prtest

prperm2:
	VMOVUPD      (R9), Z6
	VPERMT2PD    64(R9), Z0, Z6
	VMOVUPD      (R10), Z7
	VPERMT2PD    64(R10), Z1, Z7
	JMP          prtest

prgather:
	KXNORW       K1, K1, K1
	VGATHERQPD   (R9)(Z0*8), K1, Z6
	KXNORW       K1, K1, K1
	VGATHERQPD   (R10)(Z1*8), K1, Z7

prtest:
	VMULPD       Z7, Z6, Z8 // w
	VMULPD       Z8, Z5, Z9 // U·w
	VADDPD       Z9, Z5, Z9 // U + U·w
	VCMPPD       $0x15, Z16, Z9, K2 // !(… < 2^32)
	VPORQ        Z17, Z2, K2, Z2
	VPSLLQ       $1, Z17, Z17
	ADDQ         R14, R9
	ADDQ         R14, R10
	INCQ         BX
	CMPQ         BX, R11
	JB           prspin
	VPMOVQB      Z2, X2
	VMOVQ        X2, (DI)
	ADDQ         $8, DI
	ADDQ         $8, SI
	ADDQ         $8, R8
	VPADDQ       Z13, Z3, Z3
	SUBQ         $8, CX
	JMP          prloop

prdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// NEGEXP(x, e, m, t1, t2): e = exp x, m = expm1 x for x ≤ 0, as negExp
// (gibbs.go) computes them; x is clobbered (raised to −700). Z16 holds
// −700, Z17 1/ln2, Z18 ln2 high, Z19 ln2 low, Z20 2^52 + 1023, Z21 the
// bits of 2^52, Z22 1.
#define NEGEXP(x, e, m, t1, t2) \
	VMAXPD         x, Z16, x; \
	VMULPD         Z17, x, t1; \
	VRNDSCALEPD    $8, t1, t1; \
	VMULPD         Z18, t1, t2; \
	VSUBPD         t2, x, x; \
	VMULPD         Z19, t1, t2; \
	VSUBPD         t2, x, x; \
	VBROADCASTSD   T13, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T12, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T11, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T10, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T9, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T8, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T7, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T6, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T5, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T4, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T3, m, m; \
	VMULPD         x, m, m; \
	VADDPD.BCST    T2, m, m; \
	VMULPD         x, x, t2; \
	VMULPD         m, t2, t2; \
	VADDPD         t2, x, t2; \
	VADDPD         Z20, t1, t1; \
	VPSUBQ         Z21, t1, t1; \
	VPSLLQ         $52, t1, t1; \
	VMULPD         t2, t1, t2; \
	VADDPD         t2, t1, e; \
	VSUBPD         Z22, t1, t1; \
	VADDPD         t1, t2, m

#define NEGEXPCONSTS \
	VBROADCASTSD NEGEXPMIN, Z16; \
	VBROADCASTSD LOG2E, Z17; \
	VBROADCASTSD LN2HI, Z18; \
	VBROADCASTSD LN2LO, Z19; \
	VBROADCASTSD EXPMAGIC, Z20; \
	VPBROADCASTQ TWO52BITS, Z21; \
	VBROADCASTSD ONE, Z22

// func lcTanhAVX512(th, x *float64, n int, abs, prod *float64)
//
// LcTanhGeneric for n a multiple of 8: element i in lane i mod 8.
TEXT ·lcTanhAVX512(SB), NOSPLIT, $0-40
	MOVQ         th+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         abs+24(FP), R8
	MOVQ         prod+32(FP), R9
	NEGEXPCONSTS
	VPBROADCASTQ ABSMASK, Z23
	VPBROADCASTQ SIGN, Z24
	VBROADCASTSD TWO, Z25
	VBROADCASTSD MTWO, Z26
	VPXORQ       Z27, Z27, Z27 // 0
	VMOVUPD      (R8), Z28
	VMOVUPD      (R9), Z29

ltloop:
	TESTQ     CX, CX
	JZ        ltdone
	VMOVUPD   (SI), Z0
	VPANDQ    Z23, Z0, Z1 // |x|
	VADDPD    Z1, Z28, Z28
	VMULPD    Z26, Z1, Z2 // −2|x|
	NEGEXP(Z2, Z3, Z4, Z5, Z6)
	VADDPD    Z25, Z4, Z5 // 2 + m
	VMULPD    Z5, Z29, Z29
	VPXORQ    Z24, Z4, Z4 // −m
	VDIVPD    Z5, Z4, Z4 // −m/(2+m)
	VCMPPD    $0x11, Z27, Z0, K1 // x < 0
	VPXORQ    Z24, Z4, K1, Z4
	VMOVUPD   Z4, (DI)
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $8, CX
	JMP       ltloop

ltdone:
	VMOVUPD Z28, (R8)
	VMOVUPD Z29, (R9)
	VZEROUPPER
	RET

// func cdStatsAVX512(th, phi *float64, c0, c1, c2, c3 *uint8, ut *float64, n, d, wide int, abs, prod *float64)
//
// CDStatsGeneric for d ≤ 4 and n a multiple of 8 (so that element k·n + m
// of the buffers is in lane m mod 8): spin k outer, 8 samples a loop, the
// fields looked up in ut[(i·d + k)·16 + s] (site i's U, spin k, state s)
// with VPERMPD (S ≤ 8) or VPERMT2PD (wide, S = 16), then lcTanhAVX512's
// loop body.
TEXT ·cdStatsAVX512(SB), NOSPLIT, $0-96
	NEGEXPCONSTS
	VPBROADCASTQ ABSMASK, Z23
	VPBROADCASTQ SIGN, Z24
	VBROADCASTSD TWO, Z25
	VBROADCASTSD MTWO, Z26
	VPXORQ       Z27, Z27, Z27
	MOVQ         abs+80(FP), AX
	VMOVUPD      (AX), Z28
	MOVQ         prod+88(FP), AX
	VMOVUPD      (AX), Z29
	MOVQ         d+64(FP), R11
	MOVQ         R11, R12
	SHLQ         $7, R12 // bytes from site i's tables to site i+1's: d·16·8
	MOVQ         ut+48(FP), R13 // tables of spin k, site 0
	MOVQ         th+0(FP), DI
	MOVQ         phi+8(FP), R14

csk:
	MOVQ c0+16(FP), SI
	MOVQ c1+24(FP), R8
	MOVQ c2+32(FP), R9
	MOVQ c3+40(FP), R10
	MOVQ n+56(FP), CX
	LEAQ (R13)(R12*1), AX // site 1
	LEAQ (AX)(R12*1), BX // site 2
	LEAQ (BX)(R12*1), DX // site 3

csblk:
	TESTQ     CX, CX
	JZ        csnext
	VPMOVZXBQ (SI), Z0
	VPMOVZXBQ (R8), Z1
	VPMOVZXBQ (R9), Z2
	VPMOVZXBQ (R10), Z3
	CMPQ      wide+72(FP), $0
	JNE       cswide
	VPERMPD   (R13), Z0, Z4
	VPERMPD   (AX), Z1, Z5
	VPERMPD   (BX), Z2, Z6
	VPERMPD   (DX), Z3, Z7
	JMP       csphi

cswide:
	VMOVUPD   (R13), Z4
	VPERMT2PD 64(R13), Z0, Z4
	VMOVUPD   (AX), Z5
	VPERMT2PD 64(AX), Z1, Z5
	VMOVUPD   (BX), Z6
	VPERMT2PD 64(BX), Z2, Z6
	VMOVUPD   (DX), Z7
	VPERMT2PD 64(DX), Z3, Z7

csphi:
	VADDPD    Z5, Z4, Z0
	VADDPD    Z6, Z0, Z0
	VADDPD    Z7, Z0, Z0 // φ = ((U0 + U1) + U2) + U3
	VMOVUPD   Z0, (R14)
	VPANDQ    Z23, Z0, Z1 // |φ|
	VADDPD    Z1, Z28, Z28
	VMULPD    Z26, Z1, Z2
	NEGEXP(Z2, Z3, Z4, Z5, Z6)
	VADDPD    Z25, Z4, Z5 // 2 + m
	VMULPD    Z5, Z29, Z29
	VPXORQ    Z24, Z4, Z4
	VDIVPD    Z5, Z4, Z4 // −m/(2+m)
	VCMPPD    $0x11, Z27, Z0, K1 // φ < 0
	VPXORQ    Z24, Z4, K1, Z4
	VMOVUPD   Z4, (DI)
	ADDQ      $64, DI
	ADDQ      $64, R14
	ADDQ      $8, SI
	ADDQ      $8, R8
	ADDQ      $8, R9
	ADDQ      $8, R10
	SUBQ      $8, CX
	JMP       csblk

csnext:
	ADDQ $128, R13 // spin k+1
	DECQ R11
	JNZ  csk
	MOVQ abs+80(FP), AX
	VMOVUPD Z28, (AX)
	MOVQ prod+88(FP), AX
	VMOVUPD Z29, (AX)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// THRESH(p): the 8 thresholds Threshold(cum) of Z18 to p: v = cum·2^32 +
// 0.5 (Z20, Z21), truncated to an unsigned dword where v < 2^32 − 1 (Z22),
// else 2^32 − 1 where v ≥ 0 (Z23 = 0) and 0 where v is NaN.
#define THRESH(p) \
	VMULPD           Z20, Z18, Z19; \
	VADDPD           Z21, Z19, Z19; \
	VCMPPD           $0x11, Z22, Z19, K1; \
	VCMPPD           $0x1d, Z23, Z19, K2; \
	VCVTTPD2UDQ.Z    Z19, K1, Y25; \
	KANDNW           K2, K1, K3; \
	VMOVDQU32        Y24, K3, Y25; \
	VMOVDQU32        Y25, (p)

// CRSETUP (after DI tab, SI plus, R8 minus, CX R, the rows to do): R9 the
// bytes from spin k's row r to spin k+1's, R10 those from threshold j's
// row r to j+1's, and THRESH's constants in Z20–Z24. (The arguments are
// read outside the macro, where go vet's asmdecl check sees them.)
#define CRSETUP \
	MOVQ         CX, R9; \
	SHLQ         $3, R9; \
	MOVQ         CX, R10; \
	SHLQ         $2, R10; \
	VBROADCASTSD TWO32, Z20; \
	VBROADCASTSD HALF, Z21; \
	VBROADCASTSD MAXU32, Z22; \
	VPXORQ       Z23, Z23, Z23; \
	VPTERNLOGD   $0xff, Z24, Z24, Z24

// CRSPIN0: Z0, Z1 = spin 0's plus and minus of the 8 rows at SI, R8 (the
// state probabilities p0 = 1·plus, p1 = 1·minus); AX, BX at spin 0.
#define CRSPIN0 \
	MOVQ    SI, AX; \
	MOVQ    R8, BX; \
	VMOVUPD (AX), Z0; \
	VMOVUPD (BX), Z1

// CRSPIN: AX, BX on to the next spin, its plus and minus in Z16, Z17.
#define CRSPIN \
	ADDQ    R9, AX; \
	ADDQ    R9, BX; \
	VMOVUPD (AX), Z16; \
	VMOVUPD (BX), Z17

// CRSPLIT(q, hi): state s (q) splits into s + 2^k (hi = q·minus) and s
// (q·plus), CatRowsGeneric's p[s+n] = p[s]·mi, p[s] *= pl.
#define CRSPLIT(q, hi) \
	VMULPD Z17, q, hi; \
	VMULPD Z16, q, q

// CRCUM(x): cum += x, its threshold to DX and DX on to the next threshold;
// CRLAST(x) the last threshold's (DX stays).
#define CRLAST(x) \
	VADDPD x, Z18, Z18; \
	THRESH(DX)

#define CRCUM(x) \
	CRLAST(x); \
	ADDQ   R10, DX

// CRHEAD(done): the loop's test; CRSTART: the start of a row block's
// thresholds (DX at tab, cum = 0 in Z18); CRNEXT(loop): on to the next 8
// rows.
#define CRHEAD(done) \
	TESTQ CX, CX; \
	JZ    done

#define CRSTART \
	MOVQ    DI, DX; \
	VMOVAPD Z23, Z18

#define CRNEXT(loop) \
	ADDQ $64, SI; \
	ADDQ $64, R8; \
	ADDQ $32, DI; \
	SUBQ $8, CX; \
	JMP  loop

// func catRows2AVX512(tab *uint32, plus, minus *float64, R int)
//
// CatRowsGeneric for d = 2 and R a multiple of 8: 8 rows a loop (one
// per lane), the 4 state probabilities in Z0–Z3.
TEXT ·catRows2AVX512(SB), NOSPLIT, $0-32
	MOVQ tab+0(FP), DI
	MOVQ plus+8(FP), SI
	MOVQ minus+16(FP), R8
	MOVQ R+24(FP), CX
	CRSETUP

cr2loop:
	CRHEAD(cr2done)
	CRSPIN0
	CRSPIN
	CRSPLIT(Z0, Z2)
	CRSPLIT(Z1, Z3)
	CRSTART
	CRCUM(Z0)
	CRCUM(Z1)
	CRLAST(Z2)
	CRNEXT(cr2loop)

cr2done:
	VZEROUPPER
	RET

// func catRows3AVX512(tab *uint32, plus, minus *float64, R int)
//
// CatRowsGeneric for d = 3 and R a multiple of 8: 8 rows a loop (one
// per lane), the 8 state probabilities in Z0–Z7.
TEXT ·catRows3AVX512(SB), NOSPLIT, $0-32
	MOVQ tab+0(FP), DI
	MOVQ plus+8(FP), SI
	MOVQ minus+16(FP), R8
	MOVQ R+24(FP), CX
	CRSETUP

cr3loop:
	CRHEAD(cr3done)
	CRSPIN0
	CRSPIN
	CRSPLIT(Z0, Z2)
	CRSPLIT(Z1, Z3)
	CRSPIN
	CRSPLIT(Z0, Z4)
	CRSPLIT(Z1, Z5)
	CRSPLIT(Z2, Z6)
	CRSPLIT(Z3, Z7)
	CRSTART
	CRCUM(Z0)
	CRCUM(Z1)
	CRCUM(Z2)
	CRCUM(Z3)
	CRCUM(Z4)
	CRCUM(Z5)
	CRLAST(Z6)
	CRNEXT(cr3loop)

cr3done:
	VZEROUPPER
	RET

// func catRows4AVX512(tab *uint32, plus, minus *float64, R int)
//
// CatRowsGeneric for d = 4 and R a multiple of 8: 8 rows a loop (one
// per lane), the 16 state probabilities in Z0–Z15.
TEXT ·catRows4AVX512(SB), NOSPLIT, $0-32
	MOVQ tab+0(FP), DI
	MOVQ plus+8(FP), SI
	MOVQ minus+16(FP), R8
	MOVQ R+24(FP), CX
	CRSETUP

cr4loop:
	CRHEAD(cr4done)
	CRSPIN0
	CRSPIN
	CRSPLIT(Z0, Z2)
	CRSPLIT(Z1, Z3)
	CRSPIN
	CRSPLIT(Z0, Z4)
	CRSPLIT(Z1, Z5)
	CRSPLIT(Z2, Z6)
	CRSPLIT(Z3, Z7)
	CRSPIN
	CRSPLIT(Z0, Z8)
	CRSPLIT(Z1, Z9)
	CRSPLIT(Z2, Z10)
	CRSPLIT(Z3, Z11)
	CRSPLIT(Z4, Z12)
	CRSPLIT(Z5, Z13)
	CRSPLIT(Z6, Z14)
	CRSPLIT(Z7, Z15)
	CRSTART
	CRCUM(Z0)
	CRCUM(Z1)
	CRCUM(Z2)
	CRCUM(Z3)
	CRCUM(Z4)
	CRCUM(Z5)
	CRCUM(Z6)
	CRCUM(Z7)
	CRCUM(Z8)
	CRCUM(Z9)
	CRCUM(Z10)
	CRCUM(Z11)
	CRCUM(Z12)
	CRCUM(Z13)
	CRLAST(Z14)
	CRNEXT(cr4loop)

cr4done:
	VZEROUPPER
	RET

// func sigmoidAVX512(plus, minus, x *float64, n int)
//
// SigmoidPairsGeneric for n a multiple of 8.
TEXT ·sigmoidAVX512(SB), NOSPLIT, $0-32
	MOVQ         plus+0(FP), DI
	MOVQ         minus+8(FP), R8
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX
	NEGEXPCONSTS
	VPBROADCASTQ ABSMASK, Z23
	VBROADCASTSD MTWO, Z26
	VPXORQ       Z27, Z27, Z27

sgloop:
	TESTQ      CX, CX
	JZ         sgdone
	VMOVUPD    (SI), Z0
	VPANDQ     Z23, Z0, Z1
	VMULPD     Z26, Z1, Z2 // −2|x|
	NEGEXP(Z2, Z3, Z4, Z5, Z6)
	VADDPD     Z22, Z3, Z5 // 1 + e
	VDIVPD     Z5, Z22, Z5 // big = 1/(1+e)
	VMULPD     Z5, Z3, Z6 // small = e·big
	VCMPPD     $0x1d, Z27, Z0, K1 // x ≥ 0
	VBLENDMPD  Z5, Z6, K1, Z7 // plus
	VBLENDMPD  Z6, Z5, K1, Z8 // minus
	VMOVUPD    Z7, (DI)
	VMOVUPD    Z8, (R8)
	ADDQ       $64, SI
	ADDQ       $64, DI
	ADDQ       $64, R8
	SUBQ       $8, CX
	JMP        sgloop

sgdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func cornerSums3AVX512(w *float64, c *[4]*uint8, th *float64, n, N, sub int)
//
// CornerSumsGeneric for d = 3 on n samples: w holds W[i][k·8 + s] for the
// four corners (24 doubles each), loaded into Z0–Z11 (corner i, spin k in
// Z(3i+k), state s in lane s). Sample m adds (sub = 0) or subtracts th[k·N
// + m] to lane c_i[m] of each Z(3i+k), under the mask K(i+1) = 1 << c_i[m]
// (state bits above the low 3 masked off, as the twin does).
#define CSUM(op, kreg, a0, a1, a2) \
	op.BCST (SI), a0, kreg, a0; \
	op.BCST (SI)(R12*1), a1, kreg, a1; \
	op.BCST (SI)(R12*2), a2, kreg, a2

// CLOOP(op, label): the samples from CX on, each added (VADDPD) or
// subtracted (VSUBPD); label is the loop's own.
#define CLOOP(op, label) \
label: \
	CMPQ CX, R13; \
	JGE  cstore; \
	CMASK(R8, K1); \
	CMASK(R9, K2); \
	CMASK(R10, K3); \
	CMASK(R11, K4); \
	CSUM(op, K1, Z0, Z1, Z2); \
	CSUM(op, K2, Z3, Z4, Z5); \
	CSUM(op, K3, Z6, Z7, Z8); \
	CSUM(op, K4, Z9, Z10, Z11); \
	ADDQ $8, SI; \
	INCQ CX; \
	JMP  label

#define CMASK(ptr, kreg) \
	MOVBLZX (ptr)(CX*1), AX; \
	ANDL    $7, AX; \
	XORL    DX, DX; \
	BTSL    AX, DX; \
	KMOVW   DX, kreg

TEXT ·cornerSums3AVX512(SB), NOSPLIT, $0-48
	MOVQ      w+0(FP), DI
	MOVQ      c+8(FP), BX
	MOVQ      0(BX), R8
	MOVQ      8(BX), R9
	MOVQ      16(BX), R10
	MOVQ      24(BX), R11
	MOVQ      th+16(FP), SI
	MOVQ      n+24(FP), R13
	MOVQ      N+32(FP), R12
	SHLQ      $3, R12 // bytes from spin k's th to spin k+1's
	VMOVUPD   0(DI), Z0
	VMOVUPD   64(DI), Z1
	VMOVUPD   128(DI), Z2
	VMOVUPD   192(DI), Z3
	VMOVUPD   256(DI), Z4
	VMOVUPD   320(DI), Z5
	VMOVUPD   384(DI), Z6
	VMOVUPD   448(DI), Z7
	VMOVUPD   512(DI), Z8
	VMOVUPD   576(DI), Z9
	VMOVUPD   640(DI), Z10
	VMOVUPD   704(DI), Z11
	XORQ      CX, CX // sample
	CMPQ      sub+40(FP), $0
	JNE       csub

	CLOOP(VADDPD, cadd)
	CLOOP(VSUBPD, csub)

cstore:
	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	VMOVUPD Z4, 256(DI)
	VMOVUPD Z5, 320(DI)
	VMOVUPD Z6, 384(DI)
	VMOVUPD Z7, 448(DI)
	VMOVUPD Z8, 512(DI)
	VMOVUPD Z9, 576(DI)
	VMOVUPD Z10, 640(DI)
	VMOVUPD Z11, 704(DI)
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func uniformAVX512(dst *uint8, n int, mask uint32, key, base uint64)
//
// UniformStatesGeneric for n a multiple of 16: words base … of the stream,
// 8 a loop, each giving its low and high 32-bit halves' low byte (masked)
// to two draws.
TEXT ·uniformAVX512(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         n+8(FP), CX
	MOVL         mask+16(FP), AX
	VPBROADCASTD AX, Z2
	VPBROADCASTQ MIX1, ZMIX1
	VPBROADCASTQ MIX2, ZMIX2
	// Z0 = key + (base + 1 + lane)·Gamma
	MOVQ         base+32(FP), AX
	INCQ         AX
	VPBROADCASTQ AX, Z0
	VPADDQ       IOTA, Z0, Z0
	VPMULLQ.BCST GAMMA, Z0, Z0
	VPADDQ.BCST  key+24(FP), Z0, Z0

unloop:
	TESTQ       CX, CX
	JZ          undone
	VMOVDQA64   Z0, Z1
	MIX(Z1, Z3)
	VPANDD      Z2, Z1, Z1
	VPMOVDB     Z1, (DI)
	VPADDQ.BCST GAMMA8, Z0, Z0
	ADDQ        $16, DI
	SUBQ        $16, CX
	JMP         unloop

undone:
	VZEROUPPER
	RET
