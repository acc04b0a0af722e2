//go:build amd64 && gc && !purego

// AVX2 twins of the Gibbs sampler's kernels (gibbs.go): AVX2 and FMA3
// machines, 4 qword lanes (or 8 dword, 32 byte lanes) a ymm. Each draws
// exactly what its pure-Go twin draws, as the AVX-512 ones do
// (gibbs_avx512_amd64.s), with what AVX2 lacks built from what it has: the
// 64-bit multiplies of Mix64 from three 32×32-bit ones (VPMULUDQ), the
// unsigned compares from signed ones with the sign bits flipped, the
// uniforms' conversion to float64 from the exponent-bits trick. They are
// written for AVX2-only CPUs (AMD Zen 3): tables of at most 64 rows are
// looked up in registers (VPSHUFB) and rows of small tables read with one
// load, not gathered (VPGATHERDD is 39 micro-ops there); values are packed
// in registers, not stored and reloaded in pieces; VEX encodings only.
//
// Contents: fineBitsAVX2 (4 plane words at once); catAVX2 (categorical
// draws by a binary search with VPGATHERDD, for tables of more than 64
// rows); catPrepAVX2 and catByteAVX2 (categorical draws from byte tables,
// at most 64 rows); centreAVX2; prodAVX2 (per-spin draws with gathers) and
// prodRowsAVX2 (d = 3, 4: factor rows); lcTanhAVX2; sigmoidAVX2;
// catRows2AVX2 … catRows4AVX2; cornerSumsAVX2; cdFieldsAVX2; uniformAVX2.
// NEGEXP2 repeats negExp of gibbs.go operation for operation.
// coeffs_test.go checks every constant of the tables below (four copies
// each, one per qword lane).

#include "textflag.h"

DATA g256<>+0x000(SB)/8, $0x9e3779b97f4a7c15 // SplitMix64's increment
DATA g256<>+0x008(SB)/8, $0x9e3779b97f4a7c15
DATA g256<>+0x010(SB)/8, $0x9e3779b97f4a7c15
DATA g256<>+0x018(SB)/8, $0x9e3779b97f4a7c15
DATA g256<>+0x020(SB)/8, $0x1ce4e5b9 // Mix64's first multiplier, low 32 bits
DATA g256<>+0x028(SB)/8, $0x1ce4e5b9
DATA g256<>+0x030(SB)/8, $0x1ce4e5b9
DATA g256<>+0x038(SB)/8, $0x1ce4e5b9
DATA g256<>+0x040(SB)/8, $0xbf58476d // its high 32 bits
DATA g256<>+0x048(SB)/8, $0xbf58476d
DATA g256<>+0x050(SB)/8, $0xbf58476d
DATA g256<>+0x058(SB)/8, $0xbf58476d
DATA g256<>+0x060(SB)/8, $0x133111eb // Mix64's second multiplier, low 32 bits
DATA g256<>+0x068(SB)/8, $0x133111eb
DATA g256<>+0x070(SB)/8, $0x133111eb
DATA g256<>+0x078(SB)/8, $0x133111eb
DATA g256<>+0x080(SB)/8, $0x94d049bb // its high 32 bits
DATA g256<>+0x088(SB)/8, $0x94d049bb
DATA g256<>+0x090(SB)/8, $0x94d049bb
DATA g256<>+0x098(SB)/8, $0x94d049bb
DATA g256<>+0x0a0(SB)/8, $0x1bbcdcbfa53e0a80 // 128·Gamma mod 2^64 (one plane word to the next)
DATA g256<>+0x0a8(SB)/8, $0x1bbcdcbfa53e0a80
DATA g256<>+0x0b0(SB)/8, $0x1bbcdcbfa53e0a80
DATA g256<>+0x0b8(SB)/8, $0x1bbcdcbfa53e0a80
DATA g256<>+0x0c0(SB)/8, $0x2c15e81951e98155 // 65·Gamma mod 2^64 (a plane word's coin)
DATA g256<>+0x0c8(SB)/8, $0x2c15e81951e98155
DATA g256<>+0x0d0(SB)/8, $0x2c15e81951e98155
DATA g256<>+0x0d8(SB)/8, $0x2c15e81951e98155
DATA g256<>+0x0e0(SB)/8, $0x78dde6e5fd29f054 // 4·Gamma mod 2^64 (4 words on)
DATA g256<>+0x0e8(SB)/8, $0x78dde6e5fd29f054
DATA g256<>+0x0f0(SB)/8, $0x78dde6e5fd29f054
DATA g256<>+0x0f8(SB)/8, $0x78dde6e5fd29f054
DATA g256<>+0x100(SB)/8, $0x8000000080000000 // dword sign bits (unsigned compares)
DATA g256<>+0x108(SB)/8, $0x8000000080000000
DATA g256<>+0x110(SB)/8, $0x8000000080000000
DATA g256<>+0x118(SB)/8, $0x8000000080000000
DATA g256<>+0x120(SB)/8, $-700.0 // negExp's floor
DATA g256<>+0x128(SB)/8, $-700.0
DATA g256<>+0x130(SB)/8, $-700.0
DATA g256<>+0x138(SB)/8, $-700.0
DATA g256<>+0x140(SB)/8, $1.4426950408889634 // 1/ln 2
DATA g256<>+0x148(SB)/8, $1.4426950408889634
DATA g256<>+0x150(SB)/8, $1.4426950408889634
DATA g256<>+0x158(SB)/8, $1.4426950408889634
DATA g256<>+0x160(SB)/8, $0.6931471804855391 // ln 2, high part (33 significant bits)
DATA g256<>+0x168(SB)/8, $0.6931471804855391
DATA g256<>+0x170(SB)/8, $0.6931471804855391
DATA g256<>+0x178(SB)/8, $0.6931471804855391
DATA g256<>+0x180(SB)/8, $7.440617110012397e-11 // ln 2 − high part
DATA g256<>+0x188(SB)/8, $7.440617110012397e-11
DATA g256<>+0x190(SB)/8, $7.440617110012397e-11
DATA g256<>+0x198(SB)/8, $7.440617110012397e-11
DATA g256<>+0x1a0(SB)/8, $4503599627371519.0 // 2^52 + 1023
DATA g256<>+0x1a8(SB)/8, $4503599627371519.0
DATA g256<>+0x1b0(SB)/8, $4503599627371519.0
DATA g256<>+0x1b8(SB)/8, $4503599627371519.0
DATA g256<>+0x1c0(SB)/8, $0x4330000000000000 // the bits of 2^52
DATA g256<>+0x1c8(SB)/8, $0x4330000000000000
DATA g256<>+0x1d0(SB)/8, $0x4330000000000000
DATA g256<>+0x1d8(SB)/8, $0x4330000000000000
DATA g256<>+0x1e0(SB)/8, $1.0
DATA g256<>+0x1e8(SB)/8, $1.0
DATA g256<>+0x1f0(SB)/8, $1.0
DATA g256<>+0x1f8(SB)/8, $1.0
DATA g256<>+0x200(SB)/8, $2.0
DATA g256<>+0x208(SB)/8, $2.0
DATA g256<>+0x210(SB)/8, $2.0
DATA g256<>+0x218(SB)/8, $2.0
DATA g256<>+0x220(SB)/8, $0.5
DATA g256<>+0x228(SB)/8, $0.5
DATA g256<>+0x230(SB)/8, $0.5
DATA g256<>+0x238(SB)/8, $0.5
DATA g256<>+0x240(SB)/8, $-2.0
DATA g256<>+0x248(SB)/8, $-2.0
DATA g256<>+0x250(SB)/8, $-2.0
DATA g256<>+0x258(SB)/8, $-2.0
DATA g256<>+0x260(SB)/8, $0x8000000000000000 // sign bit
DATA g256<>+0x268(SB)/8, $0x8000000000000000
DATA g256<>+0x270(SB)/8, $0x8000000000000000
DATA g256<>+0x278(SB)/8, $0x8000000000000000
DATA g256<>+0x280(SB)/8, $0x7fffffffffffffff // all but the sign bit
DATA g256<>+0x288(SB)/8, $0x7fffffffffffffff
DATA g256<>+0x290(SB)/8, $0x7fffffffffffffff
DATA g256<>+0x298(SB)/8, $0x7fffffffffffffff
DATA g256<>+0x2a0(SB)/8, $1.1102230246251565e-16 // 2^-53
DATA g256<>+0x2a8(SB)/8, $1.1102230246251565e-16
DATA g256<>+0x2b0(SB)/8, $1.1102230246251565e-16
DATA g256<>+0x2b8(SB)/8, $1.1102230246251565e-16
DATA g256<>+0x2c0(SB)/8, $2097152.0 // 2^21
DATA g256<>+0x2c8(SB)/8, $2097152.0
DATA g256<>+0x2d0(SB)/8, $2097152.0
DATA g256<>+0x2d8(SB)/8, $2097152.0
DATA g256<>+0x2e0(SB)/8, $0x1fffff // the low 21 bits
DATA g256<>+0x2e8(SB)/8, $0x1fffff
DATA g256<>+0x2f0(SB)/8, $0x1fffff
DATA g256<>+0x2f8(SB)/8, $0x1fffff
DATA g256<>+0x300(SB)/8, $1.6059043836821613e-10 // 1/n!
DATA g256<>+0x308(SB)/8, $1.6059043836821613e-10
DATA g256<>+0x310(SB)/8, $1.6059043836821613e-10
DATA g256<>+0x318(SB)/8, $1.6059043836821613e-10
DATA g256<>+0x320(SB)/8, $2.08767569878681e-09
DATA g256<>+0x328(SB)/8, $2.08767569878681e-09
DATA g256<>+0x330(SB)/8, $2.08767569878681e-09
DATA g256<>+0x338(SB)/8, $2.08767569878681e-09
DATA g256<>+0x340(SB)/8, $2.505210838544172e-08
DATA g256<>+0x348(SB)/8, $2.505210838544172e-08
DATA g256<>+0x350(SB)/8, $2.505210838544172e-08
DATA g256<>+0x358(SB)/8, $2.505210838544172e-08
DATA g256<>+0x360(SB)/8, $2.755731922398589e-07
DATA g256<>+0x368(SB)/8, $2.755731922398589e-07
DATA g256<>+0x370(SB)/8, $2.755731922398589e-07
DATA g256<>+0x378(SB)/8, $2.755731922398589e-07
DATA g256<>+0x380(SB)/8, $2.7557319223985893e-06
DATA g256<>+0x388(SB)/8, $2.7557319223985893e-06
DATA g256<>+0x390(SB)/8, $2.7557319223985893e-06
DATA g256<>+0x398(SB)/8, $2.7557319223985893e-06
DATA g256<>+0x3a0(SB)/8, $2.48015873015873e-05
DATA g256<>+0x3a8(SB)/8, $2.48015873015873e-05
DATA g256<>+0x3b0(SB)/8, $2.48015873015873e-05
DATA g256<>+0x3b8(SB)/8, $2.48015873015873e-05
DATA g256<>+0x3c0(SB)/8, $0.0001984126984126984
DATA g256<>+0x3c8(SB)/8, $0.0001984126984126984
DATA g256<>+0x3d0(SB)/8, $0.0001984126984126984
DATA g256<>+0x3d8(SB)/8, $0.0001984126984126984
DATA g256<>+0x3e0(SB)/8, $0.001388888888888889
DATA g256<>+0x3e8(SB)/8, $0.001388888888888889
DATA g256<>+0x3f0(SB)/8, $0.001388888888888889
DATA g256<>+0x3f8(SB)/8, $0.001388888888888889
DATA g256<>+0x400(SB)/8, $0.008333333333333333
DATA g256<>+0x408(SB)/8, $0.008333333333333333
DATA g256<>+0x410(SB)/8, $0.008333333333333333
DATA g256<>+0x418(SB)/8, $0.008333333333333333
DATA g256<>+0x420(SB)/8, $0.041666666666666664
DATA g256<>+0x428(SB)/8, $0.041666666666666664
DATA g256<>+0x430(SB)/8, $0.041666666666666664
DATA g256<>+0x438(SB)/8, $0.041666666666666664
DATA g256<>+0x440(SB)/8, $0.16666666666666666
DATA g256<>+0x448(SB)/8, $0.16666666666666666
DATA g256<>+0x450(SB)/8, $0.16666666666666666
DATA g256<>+0x458(SB)/8, $0.16666666666666666
DATA g256<>+0x460(SB)/8, $0.5
DATA g256<>+0x468(SB)/8, $0.5
DATA g256<>+0x470(SB)/8, $0.5
DATA g256<>+0x478(SB)/8, $0.5
DATA g256<>+0x480(SB)/8, $0xffffffff // the low 32 bits
DATA g256<>+0x488(SB)/8, $0xffffffff
DATA g256<>+0x490(SB)/8, $0xffffffff
DATA g256<>+0x498(SB)/8, $0xffffffff
DATA g256<>+0x4a0(SB)/8, $4294967296.0 // 2^32
DATA g256<>+0x4a8(SB)/8, $4294967296.0
DATA g256<>+0x4b0(SB)/8, $4294967296.0
DATA g256<>+0x4b8(SB)/8, $4294967296.0
DATA g256<>+0x4c0(SB)/8, $4294967295.0 // 2^32 − 1
DATA g256<>+0x4c8(SB)/8, $4294967295.0
DATA g256<>+0x4d0(SB)/8, $4294967295.0
DATA g256<>+0x4d8(SB)/8, $4294967295.0
DATA g256<>+0x4e0(SB)/8, $0x8080808080808080 // byte sign bits (signed byte compares)
DATA g256<>+0x4e8(SB)/8, $0x8080808080808080
DATA g256<>+0x4f0(SB)/8, $0x8080808080808080
DATA g256<>+0x4f8(SB)/8, $0x8080808080808080
DATA g256<>+0x500(SB)/8, $0x00ff00ff00ff00ff // the low byte of each word
DATA g256<>+0x508(SB)/8, $0x00ff00ff00ff00ff
DATA g256<>+0x510(SB)/8, $0x00ff00ff00ff00ff
DATA g256<>+0x518(SB)/8, $0x00ff00ff00ff00ff
DATA g256<>+0x520(SB)/8, $0x7070707070707070 // bytes 0x70: row + 0x70 has bit 7 set from row 16 on
DATA g256<>+0x528(SB)/8, $0x7070707070707070
DATA g256<>+0x530(SB)/8, $0x7070707070707070
DATA g256<>+0x538(SB)/8, $0x7070707070707070
DATA g256<>+0x540(SB)/8, $0x1010101010101010 // bytes 16g: row ⊕ 16g is below 16 in group g
DATA g256<>+0x548(SB)/8, $0x1010101010101010
DATA g256<>+0x550(SB)/8, $0x1010101010101010
DATA g256<>+0x558(SB)/8, $0x1010101010101010
DATA g256<>+0x560(SB)/8, $0x2020202020202020
DATA g256<>+0x568(SB)/8, $0x2020202020202020
DATA g256<>+0x570(SB)/8, $0x2020202020202020
DATA g256<>+0x578(SB)/8, $0x2020202020202020
DATA g256<>+0x580(SB)/8, $0x3030303030303030
DATA g256<>+0x588(SB)/8, $0x3030303030303030
DATA g256<>+0x590(SB)/8, $0x3030303030303030
DATA g256<>+0x598(SB)/8, $0x3030303030303030
DATA g256<>+0x5a0(SB)/8, $2147483648.0 // 2^31
DATA g256<>+0x5a8(SB)/8, $2147483648.0
DATA g256<>+0x5b0(SB)/8, $2147483648.0
DATA g256<>+0x5b8(SB)/8, $2147483648.0
GLOBL g256<>(SB), RODATA|NOPTR, $1472

DATA shuf4<>+0x000(SB)/8, $0x808080800c080400 // per 128-bit lane: byte 0 of each dword, then zeros
DATA shuf4<>+0x008(SB)/8, $0x8080808080808080
DATA shuf4<>+0x010(SB)/8, $0x808080800c080400
DATA shuf4<>+0x018(SB)/8, $0x8080808080808080
GLOBL shuf4<>(SB), RODATA|NOPTR, $32

// shufq: byte 0 of each qword to bytes 0–1 of the 128-bit lane (lane 0) or
// to bytes 2–3 (lane 1), zeros elsewhere: 4 qword lanes' low bytes become
// the low dword of the two lanes ORed together.
DATA shufq<>+0x000(SB)/8, $0x8080808080800800
DATA shufq<>+0x008(SB)/8, $0x8080808080808080
DATA shufq<>+0x010(SB)/8, $0x8080808008008080
DATA shufq<>+0x018(SB)/8, $0x8080808080808080
GLOBL shufq<>(SB), RODATA|NOPTR, $32

// perm04: the dword order 0, 4, 1, 5, 2, 6, 3, 7 (VPERMD), which puts the
// 128-bit lanes' dwords back in order after VPACKUSDW and VPACKUSWB.
DATA perm04<>+0x000(SB)/8, $0x0000000400000000
DATA perm04<>+0x008(SB)/8, $0x0000000500000001
DATA perm04<>+0x010(SB)/8, $0x0000000600000002
DATA perm04<>+0x018(SB)/8, $0x0000000700000003
GLOBL perm04<>(SB), RODATA|NOPTR, $32

#define GAMMA g256<>+0x000(SB)
#define M1LO g256<>+0x020(SB)
#define M1HI g256<>+0x040(SB)
#define M2LO g256<>+0x060(SB)
#define M2HI g256<>+0x080(SB)
#define GAMMA128 g256<>+0x0a0(SB)
#define GAMMA65 g256<>+0x0c0(SB)
#define GAMMA4 g256<>+0x0e0(SB)
#define SIGN32 g256<>+0x100(SB)
#define NEGEXPMIN g256<>+0x120(SB)
#define LOG2E g256<>+0x140(SB)
#define LN2HI g256<>+0x160(SB)
#define LN2LO g256<>+0x180(SB)
#define EXPMAGIC g256<>+0x1a0(SB)
#define TWO52BITS g256<>+0x1c0(SB)
#define ONE g256<>+0x1e0(SB)
#define TWO g256<>+0x200(SB)
#define HALF g256<>+0x220(SB)
#define MTWO g256<>+0x240(SB)
#define SIGN g256<>+0x260(SB)
#define ABSMASK g256<>+0x280(SB)
#define TWOM53 g256<>+0x2a0(SB)
#define TWO21 g256<>+0x2c0(SB)
#define LOW21 g256<>+0x2e0(SB)
#define T13 g256<>+0x300(SB)
#define T12 g256<>+0x320(SB)
#define T11 g256<>+0x340(SB)
#define T10 g256<>+0x360(SB)
#define T9 g256<>+0x380(SB)
#define T8 g256<>+0x3a0(SB)
#define T7 g256<>+0x3c0(SB)
#define T6 g256<>+0x3e0(SB)
#define T5 g256<>+0x400(SB)
#define T4 g256<>+0x420(SB)
#define T3 g256<>+0x440(SB)
#define T2 g256<>+0x460(SB)
#define LOW32 g256<>+0x480(SB)
#define TWO32 g256<>+0x4a0(SB)
#define MAXU32 g256<>+0x4c0(SB)
#define SIGN8 g256<>+0x4e0(SB)
#define LOW8W g256<>+0x500(SB)
#define BYTE70 g256<>+0x520(SB)
#define BYTE10 g256<>+0x540(SB)
#define BYTE20 g256<>+0x560(SB)
#define BYTE30 g256<>+0x580(SB)
#define TWO31 g256<>+0x5a0(SB)
#define SHUF4 shuf4<>(SB)
#define SHUFQ shufq<>(SB)
#define PERM04 perm04<>(SB)

// QBYTES(y, x, t, dst): the low bytes of y's 4 qword lanes to the 4 bytes
// at dst (y clobbered; x is y's xmm half, t an xmm scratch).
#define QBYTES(y, x, t, dst) \
	VPSHUFB      SHUFQ, y, y; \
	VEXTRACTI128 $1, y, t; \
	VPOR         t, x, x; \
	VMOVD        x, dst

// MUL64(x, lo, hi): x = x·C mod 2^64 in every qword lane, for the constant
// C whose low and high 32 bits are in every lane of lo and hi (memory);
// Y13–Y15 are clobbered.
#define MUL64(x, lo, hi) \
	VPMULUDQ lo, x, Y13; \
	VPSRLQ   $32, x, Y14; \
	VPMULUDQ lo, Y14, Y14; \
	VPMULUDQ hi, x, Y15; \
	VPADDQ   Y15, Y14, Y14; \
	VPSLLQ   $32, Y14, Y14; \
	VPADDQ   Y14, Y13, x

// MIX(x, t): x = Mix64(x) in every qword lane (t, Y13–Y15 clobbered).
#define MIX(x, t) \
	VPSRLQ $30, x, t; \
	VPXOR  t, x, x; \
	MUL64(x, M1LO, M1HI); \
	VPSRLQ $27, x, t; \
	VPXOR  t, x, x; \
	MUL64(x, M2LO, M2HI); \
	VPSRLQ $31, x, t; \
	VPXOR  t, x, x

// ---------------------------------------------------------------------------
// func fineBitsAVX2(c0, c1, c2, c3 *uint64, nblk, steps int, p, key uint64)
//
// FineChainBitsGeneric on words [0, 4·nblk), 4 plane words a block (word
// w in lane w mod 4), one site at a time: BernWord's loop over the bit
// planes of p runs until the site's 4 lanes are decided. The four states
// of the half-step being read are in Y0–Y3, the new ones go to the stack
// (hidden sites at 0(SP)…, corners at 128(SP)…); 256(SP) holds the lanes'
// counter offsets w·128·Gamma while they are computed.
//
// Registers: Y4 counter offsets, Y5 the site's counter, Y6 its Bernoulli
// word, Y7 its undecided lanes, Y8 a uniform, Y9 scratch, Y10 the plane's
// bit of p in every bit, Y11–Y12 scratch, Y13–Y15 MUL64's.
//
// SITEX2(s, y): y = Y4 + key + Sub(R12, s)·Gamma (R15, X9 clobbered).
#define SITEX2(s, y) \
	MOVQ         R12, R15; \
	SHLQ         $3, R15; \
	ORQ          $s, R15; \
	SHLQ         $32, R15; \
	IMULQ        GAMMA, R15; \
	ADDQ         R10, R15; \
	VMOVQ        R15, X9; \
	VPBROADCASTQ X9, y; \
	VPADDQ       Y4, y, y

// SITE2(s, a, b, off, lloop, ldone): the new state of site s whose two
// neighbours are a and b (a its base): a ^ (a^b ? coin : BernWord(p)),
// stored at off(SP).
#define SITE2(s, a, b, off, lloop, ldone) \
	SITEX2(s, Y5); \
	VPXOR        Y6, Y6, Y6; \
	VPCMPEQQ     Y7, Y7, Y7; \
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
	VMOVQ        AX, X10; \
	VPBROADCASTQ X10, Y10; \
	VPADDQ       GAMMA, Y5, Y5; \
	VMOVDQU      Y5, Y8; \
	MIX(Y8, Y9); \
	VPANDN       Y7, Y8, Y9; \
	VPAND        Y10, Y9, Y9; \
	VPOR         Y9, Y6, Y6; \
	VPXOR        Y10, Y8, Y9; \
	VPANDN       Y7, Y9, Y7; \
	SHRQ         $1, R13; \
	CMPQ         R13, R14; \
	JB           ldone; \
	VPTEST       Y7, Y7; \
	JNZ          lloop; \
ldone: \
	SITEX2(s, Y11); \
	VPADDQ       GAMMA65, Y11, Y11; \
	MIX(Y11, Y9); \
	VPXOR        a, b, Y12; \
	VPAND        Y12, Y11, Y11; \
	VPANDN       Y6, Y12, Y6; \
	VPOR         Y11, Y6, Y6; \
	VPXOR        a, Y6, Y6; \
	VMOVDQU      Y6, off(SP)

TEXT ·fineBitsAVX2(SB), NOSPLIT, $288-64
	MOVQ nblk+32(FP), BX
	MOVQ p+48(FP), DX
	MOVQ key+56(FP), R10
	XORQ R11, R11 // first word of the block

f2block:
	TESTQ   BX, BX
	JZ      f2done
	MOVQ    c0+0(FP), DI
	VMOVDQU (DI)(R11*8), Y0
	MOVQ    c1+8(FP), DI
	VMOVDQU (DI)(R11*8), Y1
	MOVQ    c2+16(FP), DI
	VMOVDQU (DI)(R11*8), Y2
	MOVQ    c3+24(FP), DI
	VMOVDQU (DI)(R11*8), Y3
	// counter offsets (w + lane)·128·Gamma
	MOVQ    R11, AX
	IMULQ   GAMMA128, AX
	MOVQ    AX, 256(SP)
	LEAQ    1(R11), AX
	IMULQ   GAMMA128, AX
	MOVQ    AX, 264(SP)
	LEAQ    2(R11), AX
	IMULQ   GAMMA128, AX
	MOVQ    AX, 272(SP)
	LEAQ    3(R11), AX
	IMULQ   GAMMA128, AX
	MOVQ    AX, 280(SP)
	VMOVDQU 256(SP), Y4
	MOVQ    steps+40(FP), CX
	MOVQ    $1, R12 // FinePhase(0)

f2step:
	TESTQ   CX, CX
	JZ      f2store
	// hidden sites: e0 (c0,c1), e1 (c1,c2), e2 (c2,c3), e3 (c0,c3)
	SITE2(0, Y0, Y1, 0, f2h0, f2h0d)
	SITE2(1, Y1, Y2, 32, f2h1, f2h1d)
	SITE2(2, Y2, Y3, 64, f2h2, f2h2d)
	SITE2(3, Y0, Y3, 96, f2h3, f2h3d)
	VMOVDQU 0(SP), Y0
	VMOVDQU 32(SP), Y1
	VMOVDQU 64(SP), Y2
	VMOVDQU 96(SP), Y3
	INCQ    R12
	// corners: c0 (e0,e3), c1 (e0,e1), c2 (e1,e2), c3 (e2,e3)
	SITE2(0, Y0, Y3, 128, f2c0, f2c0d)
	SITE2(1, Y0, Y1, 160, f2c1, f2c1d)
	SITE2(2, Y1, Y2, 192, f2c2, f2c2d)
	SITE2(3, Y2, Y3, 224, f2c3, f2c3d)
	VMOVDQU 128(SP), Y0
	VMOVDQU 160(SP), Y1
	VMOVDQU 192(SP), Y2
	VMOVDQU 224(SP), Y3
	INCQ    R12
	DECQ    CX
	JMP     f2step

f2store:
	MOVQ    c0+0(FP), DI
	VMOVDQU Y0, (DI)(R11*8)
	MOVQ    c1+8(FP), DI
	VMOVDQU Y1, (DI)(R11*8)
	MOVQ    c2+16(FP), DI
	VMOVDQU Y2, (DI)(R11*8)
	MOVQ    c3+24(FP), DI
	VMOVDQU Y3, (DI)(R11*8)
	ADDQ    $4, R11
	DECQ    BX
	JMP     f2block

f2done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func catAVX2(dst, a, b *uint8, n int, tab *uint32, logR, d, shift int, key, base uint64)
//
// The categorical draws of CatPair (shift d) and CatOne (a = b, shift 0)
// for n a multiple of 8: 8 draws a loop (dword lanes; the uniforms of
// words 4i…4i+3, low halves first), rows r = (a&m)<<shift | (b&m), a
// binary search over the row's thresholds with one VPGATHERDD a level.
// 0(SP) holds the lanes' first counters while they are computed.
TEXT ·catAVX2(SB), NOSPLIT, $32-80
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), R8
	MOVQ         tab+32(FP), R9
	MOVQ         logR+40(FP), AX
	VMOVQ        AX, X12
	MOVQ         shift+56(FP), AX
	VMOVQ        AX, X11
	MOVQ         d+48(FP), CX
	MOVQ         $1, AX
	SHLQ         CX, AX
	MOVQ         AX, R12
	SHRQ         $1, R12 // 2^(d−1), the first step
	DECQ         AX
	VMOVQ        AX, X6
	VPBROADCASTD X6, Y6 // S − 1
	VMOVDQU      SIGN32, Y10
	// counters key + (base + 1 + j)·Gamma, j = 0 … 3
	MOVQ         key+64(FP), R10
	MOVQ         base+72(FP), R11
	LEAQ         1(R11), AX
	IMULQ        GAMMA, AX
	ADDQ         R10, AX
	MOVQ         AX, 0(SP)
	LEAQ         2(R11), AX
	IMULQ        GAMMA, AX
	ADDQ         R10, AX
	MOVQ         AX, 8(SP)
	LEAQ         3(R11), AX
	IMULQ        GAMMA, AX
	ADDQ         R10, AX
	MOVQ         AX, 16(SP)
	LEAQ         4(R11), AX
	IMULQ        GAMMA, AX
	ADDQ         R10, AX
	MOVQ         AX, 24(SP)
	VMOVDQU      0(SP), Y7
	MOVQ         n+24(FP), CX

c2loop:
	TESTQ        CX, CX
	JZ           c2done
	VPMOVZXBD    (SI), Y0
	VPMOVZXBD    (R8), Y4
	VPAND        Y6, Y0, Y0
	VPAND        Y6, Y4, Y4
	VPSLLD       X11, Y0, Y0
	VPOR         Y4, Y0, Y0 // rows
	VMOVDQU      Y7, Y1
	MIX(Y1, Y8)
	VPADDQ       GAMMA4, Y7, Y7
	VPXOR        Y10, Y1, Y1 // uniforms, sign bits flipped
	VPXOR        Y2, Y2, Y2 // i
	MOVQ         R12, DX // step
	VMOVQ        DX, X5
	VPBROADCASTD X5, Y5

c2level:
	LEAQ         -1(DX), AX
	VMOVQ        AX, X3
	VPBROADCASTD X3, Y3
	VPADDD       Y2, Y3, Y3
	VPSLLD       X12, Y3, Y3
	VPADDD       Y0, Y3, Y3 // (i + step − 1)·R + r
	VPCMPEQD     Y9, Y9, Y9
	VPXOR        Y4, Y4, Y4
	VPGATHERDD   Y9, (R9)(Y3*4), Y4
	VPXOR        Y10, Y4, Y4
	VPCMPGTD     Y1, Y4, Y4 // threshold > u
	VPANDN       Y5, Y4, Y4 // step where threshold ≤ u
	VPADDD       Y4, Y2, Y2
	VPSRLD       $1, Y5, Y5
	SHRQ         $1, DX
	JNZ          c2level
	VPSHUFB      SHUF4, Y2, Y2
	VEXTRACTI128 $1, Y2, X4
	VPUNPCKLDQ   X4, X2, X2
	VMOVQ        X2, (DI)
	ADDQ         $8, DI
	ADDQ         $8, SI
	ADDQ         $8, R8
	SUBQ         $8, CX
	JMP          c2loop

c2done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// CTR4(x0, hg, t, xd, xt, yd): yd = the counters x0 + j·hg of lanes
// j = 0…3 (x0, hg general registers; t clobbered, xt an xmm scratch, xd
// yd's xmm half), built in registers.
#define CTR4(x0, hg, t, xd, xt, yd) \
	VMOVQ       x0, xd; \
	LEAQ        (x0)(hg*1), t; \
	VPINSRQ     $1, t, xd, xd; \
	LEAQ        (x0)(hg*2), t; \
	VMOVQ       t, xt; \
	ADDQ        hg, t; \
	VPINSRQ     $1, t, xt, xt; \
	VINSERTI128 $1, xt, yd, yd

// func centreAVX2(dst *uint8, th *float64, n, N, d int, key, base uint64)
//
// CentreStatesGeneric for the first n sites (a multiple of 4) of N, 4
// sites a loop (qword lanes): spin k of site m reads word base + m·d + k
// and th[k·N + m]. The 53-bit uniform w>>11 is converted exactly as
// A·2^21 + B with A = w>>32 and B = (w>>11) mod 2^21, each through the
// 2^52 trick.
TEXT ·centreAVX2(SB), NOSPLIT, $0-56
	MOVQ         dst+0(FP), DI
	MOVQ         th+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         N+24(FP), R13
	SHLQ         $3, R13 // bytes from spin k's th to spin k+1's
	MOVQ         d+32(FP), R11
	MOVQ         base+48(FP), AX
	INCQ         AX
	IMULQ        GAMMA, AX
	ADDQ         key+40(FP), AX
	MOVQ         R11, R12
	IMULQ        GAMMA, R12 // d·Gamma from one site to the next
	CTR4(AX, R12, BX, X7, X8, Y7) // lane j: key + (base + 1 + j·d)·Gamma
	SHLQ         $2, R12
	VMOVQ        R12, X11
	VPBROADCASTQ X11, Y11 // 4d·Gamma: the next 4 sites' counters
	MOVQ         $1, AX
	VMOVQ        AX, X12
	VPBROADCASTQ X12, Y12 // bit 0 in every lane

ceLoop:
	TESTQ   CX, CX
	JZ      ceDone
	VPXOR   Y2, Y2, Y2 // states
	VMOVDQU Y7, Y3 // counters of spin k
	VMOVDQU Y12, Y10 // 1 << k
	MOVQ    SI, R9 // th of spin k
	MOVQ    R11, BX

ceSpin:
	VMOVDQU  Y3, Y4
	MIX(Y4, Y8)
	VPSRLQ   $32, Y4, Y5 // A
	VPSRLQ   $11, Y4, Y6
	VPAND    LOW21, Y6, Y6 // B
	VPOR     TWO52BITS, Y5, Y5
	VSUBPD   TWO52BITS, Y5, Y5
	VPOR     TWO52BITS, Y6, Y6
	VSUBPD   TWO52BITS, Y6, Y6
	VMULPD   TWO21, Y5, Y5
	VADDPD   Y6, Y5, Y5
	VMULPD   TWOM53, Y5, Y5 // u
	VMOVUPD  (R9), Y6 // th
	VMULPD   HALF, Y6, Y6
	VADDPD   HALF, Y6, Y6 // q
	VCMPPD   $0x1d, Y6, Y5, Y6 // u ≥ q
	VPAND    Y10, Y6, Y6
	VPOR     Y6, Y2, Y2
	VPADDQ   GAMMA, Y3, Y3
	VPSLLQ   $1, Y10, Y10
	ADDQ     R13, R9
	DECQ     BX
	JNZ      ceSpin
	QBYTES(Y2, X2, X4, (DI))
	ADDQ     $4, DI
	ADDQ     $32, SI
	VPADDQ   Y11, Y7, Y7
	SUBQ     $4, CX
	JMP      ceLoop

ceDone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func prodAVX2(dst, a, b *uint8, n int, ea, eb *float64, d int, key, base uint64)
//
// ProdPairGeneric for n a multiple of 4, 4 draws a loop (qword lanes), the
// factors gathered. 0(SP) holds S − 1.
TEXT ·prodAVX2(SB), NOSPLIT, $8-72
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), R8
	MOVQ         d+48(FP), R11
	MOVQ         R11, R13
	INCQ         R13
	SHRQ         $1, R13 // h
	IMULQ        GAMMA, R13 // h·Gamma from one draw to the next
	MOVQ         base+64(FP), AX
	INCQ         AX
	IMULQ        GAMMA, AX
	ADDQ         key+56(FP), AX
	CTR4(AX, R13, BX, X3, X4, Y3) // lane l: key + (base + 1 + l·h)·Gamma
	SHLQ         $2, R13
	VMOVQ        R13, X11
	VPBROADCASTQ X11, Y11 // the next 4 draws' counters
	MOVQ         $1, AX
	MOVQ         R11, CX
	SHLQ         CX, AX // S
	MOVQ         AX, R14
	SHLQ         $3, R14 // bytes of one spin's factors
	DECQ         AX
	MOVQ         AX, 0(SP) // S − 1
	MOVQ         n+24(FP), CX

p2loop:
	TESTQ        CX, CX
	JZ           p2done
	VPMOVZXBQ    (SI), Y0
	VPBROADCASTQ 0(SP), Y8
	VPAND        Y8, Y0, Y0
	VPMOVZXBQ    (R8), Y1
	VPAND        Y8, Y1, Y1
	VPXOR        Y2, Y2, Y2 // states
	VMOVDQU      Y3, Y12 // the counters of spins 0, 1
	VPCMPEQQ     Y10, Y10, Y10
	VPSRLQ       $63, Y10, Y10 // bit k
	MOVQ         ea+32(FP), R9
	MOVQ         eb+40(FP), R15
	XORQ         BX, BX // k

p2spin:
	TESTQ        $1, BX
	JNZ          p2odd
	VMOVDQU      Y12, Y4
	MIX(Y4, Y8)
	VPADDQ       GAMMA, Y12, Y12
	VPAND        LOW32, Y4, Y5
	JMP          p2conv

p2odd:
	VPSRLQ       $32, Y4, Y5

p2conv:
	VPOR         TWO52BITS, Y5, Y5
	VSUBPD       TWO52BITS, Y5, Y5 // U
	VPCMPEQQ     Y9, Y9, Y9
	VXORPD       Y6, Y6, Y6
	VGATHERQPD   Y9, (R9)(Y0*8), Y6
	VPCMPEQQ     Y9, Y9, Y9
	VXORPD       Y7, Y7, Y7
	VGATHERQPD   Y9, (R15)(Y1*8), Y7
	VMULPD       Y7, Y6, Y8 // w
	VMULPD       Y8, Y5, Y8 // U·w
	VADDPD       Y8, Y5, Y8 // U + U·w
	VCMPPD       $0x15, TWO32, Y8, Y8 // !(… < 2^32)
	VPAND        Y10, Y8, Y8
	VPOR         Y8, Y2, Y2
	VPSLLQ       $1, Y10, Y10
	ADDQ         R14, R9
	ADDQ         R14, R15
	INCQ         BX
	CMPQ         BX, R11
	JB           p2spin
	QBYTES(Y2, X2, X4, (DI))
	ADDQ         $4, DI
	ADDQ         $4, SI
	ADDQ         $4, R8
	VPADDQ       Y11, Y3, Y3
	SUBQ         $4, CX
	JMP          p2loop

p2done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// NEGEXP2(x, e, m, t1, t2): e = exp x, m = expm1 x for x ≤ 0, as negExp
// (gibbs.go) computes them; x is clobbered. Y14 holds −700.
#define NEGEXP2(x, e, m, t1, t2) \
	VMAXPD   x, Y14, x; \
	VMULPD   LOG2E, x, t1; \
	VROUNDPD $8, t1, t1; \
	VMULPD   LN2HI, t1, t2; \
	VSUBPD   t2, x, x; \
	VMULPD   LN2LO, t1, t2; \
	VSUBPD   t2, x, x; \
	VMOVUPD  T13, m; \
	VMULPD   x, m, m; \
	VADDPD   T12, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T11, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T10, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T9, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T8, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T7, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T6, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T5, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T4, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T3, m, m; \
	VMULPD   x, m, m; \
	VADDPD   T2, m, m; \
	VMULPD   x, x, t2; \
	VMULPD   m, t2, t2; \
	VADDPD   t2, x, t2; \
	VADDPD   EXPMAGIC, t1, t1; \
	VPSUBQ   TWO52BITS, t1, t1; \
	VPSLLQ   $52, t1, t1; \
	VMULPD   t2, t1, t2; \
	VADDPD   t2, t1, e; \
	VSUBPD   ONE, t1, t1; \
	VADDPD   t1, t2, m

// LCBODY(dst, abs, prod): LcTanhGeneric on the 4 elements in Y0, tanh to
// dst, accumulating into abs and prod (Y1–Y8 clobbered).
#define LCBODY(dst, abs, prod) \
	VANDPD  ABSMASK, Y0, Y1; \
	VADDPD  Y1, abs, abs; \
	VMULPD  MTWO, Y1, Y2; \
	NEGEXP2(Y2, Y3, Y4, Y5, Y6); \
	VADDPD  TWO, Y4, Y5; \
	VMULPD  Y5, prod, prod; \
	VXORPD  SIGN, Y4, Y4; \
	VDIVPD  Y5, Y4, Y4; \
	VXORPD  Y7, Y7, Y7; \
	VCMPPD  $0x11, Y7, Y0, Y8; \
	VANDPD  SIGN, Y8, Y8; \
	VXORPD  Y8, Y4, Y4; \
	VMOVUPD Y4, dst

// LCHALF(off, abs, prod): LcTanhGeneric on the 4 elements at off(SI),
// accumulating into abs and prod.
#define LCHALF(off, abs, prod) \
	VMOVUPD off(SI), Y0; \
	LCBODY(off(DI), abs, prod)

// func lcTanhAVX2(th, x *float64, n int, abs, prod *float64)
//
// LcTanhGeneric for n a multiple of 8: elements 8i…8i+3 in the lanes of
// the first accumulators, 8i+4…8i+7 in the second.
TEXT ·lcTanhAVX2(SB), NOSPLIT, $0-40
	MOVQ    th+0(FP), DI
	MOVQ    x+8(FP), SI
	MOVQ    n+16(FP), CX
	MOVQ    abs+24(FP), R8
	MOVQ    prod+32(FP), R9
	VMOVUPD NEGEXPMIN, Y14
	VMOVUPD (R8), Y10
	VMOVUPD 32(R8), Y11
	VMOVUPD (R9), Y12
	VMOVUPD 32(R9), Y13

l2loop:
	TESTQ CX, CX
	JZ    l2done
	LCHALF(0, Y10, Y12)
	LCHALF(32, Y11, Y13)
	ADDQ  $64, SI
	ADDQ  $64, DI
	SUBQ  $8, CX
	JMP   l2loop

l2done:
	VMOVUPD Y10, (R8)
	VMOVUPD Y11, 32(R8)
	VMOVUPD Y12, (R9)
	VMOVUPD Y13, 32(R9)
	VZEROUPPER
	RET

// func sigmoidAVX2(plus, minus, x *float64, n int)
//
// SigmoidPairsGeneric for n a multiple of 4.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-32
	MOVQ    plus+0(FP), DI
	MOVQ    minus+8(FP), R8
	MOVQ    x+16(FP), SI
	MOVQ    n+24(FP), CX
	VMOVUPD NEGEXPMIN, Y14
	VXORPD  Y7, Y7, Y7

s2loop:
	TESTQ     CX, CX
	JZ        s2done
	VMOVUPD   (SI), Y0
	VANDPD    ABSMASK, Y0, Y1
	VMULPD    MTWO, Y1, Y2
	NEGEXP2(Y2, Y3, Y4, Y5, Y6)
	VADDPD    ONE, Y3, Y5 // 1 + e
	VMOVUPD   ONE, Y6
	VDIVPD    Y5, Y6, Y5 // big
	VMULPD    Y5, Y3, Y6 // small
	VCMPPD    $0x1d, Y7, Y0, Y8 // x ≥ 0
	VBLENDVPD Y8, Y5, Y6, Y9 // plus
	VBLENDVPD Y8, Y6, Y5, Y10 // minus
	VMOVUPD   Y9, (DI)
	VMOVUPD   Y10, (R8)
	ADDQ      $32, SI
	ADDQ      $32, DI
	ADDQ      $32, R8
	SUBQ      $4, CX
	JMP       s2loop

s2done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func uniformAVX2(dst *uint8, n int, mask uint32, key, base uint64)
//
// UniformStatesGeneric for n a multiple of 16: words base … of the stream,
// 8 a loop (two ymm), each giving its low and high 32-bit halves' low
// byte (masked) to two draws. The 16 masked dwords are packed to bytes
// in registers (VPACKUSDW, VPACKUSWB, then VPERMD puts the lanes back in
// order).
TEXT ·uniformAVX2(SB), NOSPLIT, $0-40
	MOVQ         dst+0(FP), DI
	MOVQ         n+8(FP), CX
	MOVL         mask+16(FP), AX
	VMOVD        AX, X6
	VPBROADCASTD X6, Y6
	VMOVDQU      PERM04, Y5
	MOVQ         base+32(FP), AX
	INCQ         AX
	IMULQ        GAMMA, AX
	ADDQ         key+24(FP), AX
	MOVQ         GAMMA, R8
	CTR4(AX, R8, BX, X0, X1, Y0) // lane j: key + (base + 1 + j)·Gamma
	VMOVDQU      GAMMA4, Y7
	VPADDQ       Y7, Y7, Y8 // 8·Gamma

unloop:
	TESTQ      CX, CX
	JZ         undone
	VMOVDQU    Y0, Y1
	VPADDQ     Y7, Y0, Y2
	VPADDQ     Y8, Y0, Y0
	MIX(Y1, Y3)
	MIX(Y2, Y4)
	VPAND      Y6, Y1, Y1
	VPAND      Y6, Y2, Y2
	VPACKUSDW  Y2, Y1, Y1 // words: draws 0–3, 8–11 | 4–7, 12–15
	VPACKUSWB  Y1, Y1, Y1
	VPERMD     Y1, Y5, Y1
	VMOVDQU    X1, (DI)
	ADDQ       $16, DI
	SUBQ       $16, CX
	JMP        unloop

undone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// THRESH2(p): the 4 thresholds Threshold(cum) of Y10 to the dwords at p:
// v = cum·2^32 + 0.5, truncated (VROUNDPD, then the low dword of
// trunc(v) + 2^52) where v < 2^32 − 1, 2^32 − 1 where v ≥ 2^32 − 1, and 0
// where v is NaN (for cum ≥ 0, as Threshold). Y11–Y14 clobbered.
#define THRESH2(p) \
	VMULPD       TWO32, Y10, Y11; \
	VADDPD       HALF, Y11, Y11; \
	VCMPPD       $0x11, MAXU32, Y11, Y12; \
	VCMPPD       $0x1d, MAXU32, Y11, Y13; \
	VROUNDPD     $3, Y11, Y14; \
	VADDPD       TWO52BITS, Y14, Y14; \
	VANDPD       Y12, Y14, Y14; \
	VORPD        Y13, Y14, Y14; \
	VEXTRACTF128 $1, Y14, X13; \
	VSHUFPS      $0x88, X13, X14, X14; \
	VMOVUPS      X14, (p)

// CUM(x, p): cum += x, its threshold to p and p on to the next threshold
// (R10 bytes on).
#define CUM(x, p) \
	VADDPD x, Y10, Y10; \
	THRESH2(p); \
	ADDQ   R10, p

// CUMMUL(q, f, p): CUM of q·f (Y15 clobbered).
#define CUMMUL(q, f, p) \
	VMULPD q, f, Y15; \
	CUM(Y15, p)

// CRSETUP (after DI tab, SI plus, R8 minus, CX R, DX n): R9 = bytes
// from spin k's row r to spin k+1's, R10 bytes from threshold j's row r to
// j+1's, CX the rows to do.
#define CRSETUP \
	MOVQ CX, R9; \
	SHLQ $3, R9; \
	MOVQ CX, R10; \
	SHLQ $2, R10; \
	MOVQ DX, CX

// CRSPIN01: Y0–Y3 = the state probabilities of spins 0 and 1 of the 4
// rows at SI, R8 (CatRowsGeneric's products); AX, BX at spin 1.
#define CRSPIN01 \
	MOVQ    SI, AX; \
	MOVQ    R8, BX; \
	VMOVUPD (AX), Y0; \
	VMOVUPD (BX), Y1; \
	ADDQ    R9, AX; \
	ADDQ    R9, BX; \
	VMOVUPD (AX), Y8; \
	VMOVUPD (BX), Y9; \
	VMULPD  Y9, Y0, Y2; \
	VMULPD  Y8, Y0, Y0; \
	VMULPD  Y9, Y1, Y3; \
	VMULPD  Y8, Y1, Y1

// CRSPIN: AX, BX on to the next spin, its plus and minus in Y8, Y9.
#define CRSPIN \
	ADDQ    R9, AX; \
	ADDQ    R9, BX; \
	VMOVUPD (AX), Y8; \
	VMOVUPD (BX), Y9

// CRSPLIT(q, hi): state s (q) splits into s + 2^k (hi = q·minus) and s
// (q·plus), CatRowsGeneric's p[s+n] = p[s]·mi, p[s] *= pl.
#define CRSPLIT(q, hi) \
	VMULPD Y9, q, hi; \
	VMULPD Y8, q, q

// CRHEAD(done): the loop's test; CRSTART: the start of a row block's
// thresholds (DX at tab, cum = 0 in Y10); CRNEXT(loop): on to the next 4
// rows.
#define CRHEAD(done) \
	TESTQ CX, CX; \
	JZ    done

#define CRSTART \
	MOVQ   DI, DX; \
	VXORPD Y10, Y10, Y10

#define CRNEXT(loop) \
	ADDQ $32, SI; \
	ADDQ $32, R8; \
	ADDQ $16, DI; \
	SUBQ $4, CX; \
	JMP  loop

// func catRows2AVX2(tab *uint32, plus, minus *float64, R, n int)
//
// CatRowsGeneric for d = 2 on rows 0 … n−1 of R (n a multiple of 4): 4
// rows a loop (one per lane), the 4 state probabilities in Y0–Y3.
TEXT ·catRows2AVX2(SB), NOSPLIT, $0-40
	MOVQ tab+0(FP), DI
	MOVQ plus+8(FP), SI
	MOVQ minus+16(FP), R8
	MOVQ R+24(FP), CX
	MOVQ n+32(FP), DX
	CRSETUP

cr2loop:
	CRHEAD(cr2done)
	CRSPIN01
	CRSTART
	CUM(Y0, DX)
	CUM(Y1, DX)
	CUM(Y2, DX)
	CRNEXT(cr2loop)

cr2done:
	VZEROUPPER
	RET

// func catRows3AVX2(tab *uint32, plus, minus *float64, R, n int)
//
// CatRowsGeneric for d = 3 on rows 0 … n−1 of R (n a multiple of 4): 4
// rows a loop, the products q of spins 0 and 1 in Y0–Y3, spin 2's
// factors in Y8, Y9; state s < 4 is q_s·plus_2, s + 4 is q_s·minus_2.
TEXT ·catRows3AVX2(SB), NOSPLIT, $0-40
	MOVQ tab+0(FP), DI
	MOVQ plus+8(FP), SI
	MOVQ minus+16(FP), R8
	MOVQ R+24(FP), CX
	MOVQ n+32(FP), DX
	CRSETUP

cr3loop:
	CRHEAD(cr3done)
	CRSPIN01
	CRSPIN
	CRSTART
	CUMMUL(Y8, Y0, DX)
	CUMMUL(Y8, Y1, DX)
	CUMMUL(Y8, Y2, DX)
	CUMMUL(Y8, Y3, DX)
	CUMMUL(Y9, Y0, DX)
	CUMMUL(Y9, Y1, DX)
	CUMMUL(Y9, Y2, DX)
	CRNEXT(cr3loop)

cr3done:
	VZEROUPPER
	RET

// func catRows4AVX2(tab *uint32, plus, minus *float64, R, n int)
//
// CatRowsGeneric for d = 4 on rows 0 … n−1 of R (n a multiple of 4): 4
// rows a loop, the products q of spins 0–2 in Y0–Y7, spin 3's factors in
// Y8, Y9; state s < 8 is q_s·plus_3, s + 8 is q_s·minus_3.
TEXT ·catRows4AVX2(SB), NOSPLIT, $0-40
	MOVQ tab+0(FP), DI
	MOVQ plus+8(FP), SI
	MOVQ minus+16(FP), R8
	MOVQ R+24(FP), CX
	MOVQ n+32(FP), DX
	CRSETUP

cr4loop:
	CRHEAD(cr4done)
	CRSPIN01
	CRSPIN
	CRSPLIT(Y0, Y4)
	CRSPLIT(Y1, Y5)
	CRSPLIT(Y2, Y6)
	CRSPLIT(Y3, Y7)
	CRSPIN
	CRSTART
	CUMMUL(Y8, Y0, DX)
	CUMMUL(Y8, Y1, DX)
	CUMMUL(Y8, Y2, DX)
	CUMMUL(Y8, Y3, DX)
	CUMMUL(Y8, Y4, DX)
	CUMMUL(Y8, Y5, DX)
	CUMMUL(Y8, Y6, DX)
	CUMMUL(Y8, Y7, DX)
	CUMMUL(Y9, Y0, DX)
	CUMMUL(Y9, Y1, DX)
	CUMMUL(Y9, Y2, DX)
	CUMMUL(Y9, Y3, DX)
	CUMMUL(Y9, Y4, DX)
	CUMMUL(Y9, Y5, DX)
	CUMMUL(Y9, Y6, DX)
	CRNEXT(cr4loop)

cr4done:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func cornerSumsAVX2(acc *float64, c *[4]*uint8, th *float64, n, N, d, sub int)
//
// CornerSumsGeneric for 2 ≤ d ≤ 4 on samples 0 … n−1 (n a multiple of 4)
// of N: acc holds, for corner i and state s, the d sums W[i][k·2^d + s] in
// the lanes k of the ymm at acc + (16i + s)·32 (lanes k ≥ d unused). A
// block of 4 samples is transposed (th[k·N + m] for 4 spins and 4
// samples: one ymm per sample, spins in lanes), and each sample's ymm is
// added to (sub = 0) or subtracted from (sub = 1) the accumulator of its
// state, corner by corner: every sum gets its terms in the order of n, as
// in the twin.
//
// Registers: DI acc, R8–R11 the corners' states, SI th of spin 0 at the
// block, R12 N·8, R13 3N·8, BX (2^d − 1)·32, CX the sample, DX n.

// CADD(off, ptr, corner, t, op): the accumulator of state ptr[CX + off]
// of the corner at corner(DI) += or −= t, the block's sample off; the
// accumulator is the first operand, as the twin's sum is.
#define CADD(off, ptr, corner, t, op) \
	MOVBLZX off(ptr)(CX*1), AX; \
	SHLL    $5, AX; \
	ANDL    BX, AX; \
	VMOVUPD corner(DI)(AX*1), Y8; \
	op      t, Y8, Y8; \
	VMOVUPD Y8, corner(DI)(AX*1)

// CBLOCK(op): the block of samples CX … CX+3 (Y4–Y7 the spins' rows),
// transposed into Y0–Y3 and added with op.
#define CBLOCK(op) \
	VUNPCKLPD  Y5, Y4, Y8; \
	VUNPCKHPD  Y5, Y4, Y9; \
	VUNPCKLPD  Y7, Y6, Y10; \
	VUNPCKHPD  Y7, Y6, Y11; \
	VPERM2F128 $0x20, Y10, Y8, Y0; \
	VPERM2F128 $0x20, Y11, Y9, Y1; \
	VPERM2F128 $0x31, Y10, Y8, Y2; \
	VPERM2F128 $0x31, Y11, Y9, Y3; \
	CADD(0, R8, 0, Y0, op); \
	CADD(0, R9, 512, Y0, op); \
	CADD(0, R10, 1024, Y0, op); \
	CADD(0, R11, 1536, Y0, op); \
	CADD(1, R8, 0, Y1, op); \
	CADD(1, R9, 512, Y1, op); \
	CADD(1, R10, 1024, Y1, op); \
	CADD(1, R11, 1536, Y1, op); \
	CADD(2, R8, 0, Y2, op); \
	CADD(2, R9, 512, Y2, op); \
	CADD(2, R10, 1024, Y2, op); \
	CADD(2, R11, 1536, Y2, op); \
	CADD(3, R8, 0, Y3, op); \
	CADD(3, R9, 512, Y3, op); \
	CADD(3, R10, 1024, Y3, op); \
	CADD(3, R11, 1536, Y3, op)

// CROWS: Y4–Y7 = the spins' th for samples CX … CX+3 (Y6, Y7 are not
// loaded where d < 3, 4, and stay zero).
#define CROWS \
	VMOVUPD (SI), Y4; \
	VMOVUPD (SI)(R12*1), Y5; \
	CMPQ    R14, $3; \
	JB      5(PC); \
	VMOVUPD (SI)(R12*2), Y6; \
	CMPQ    R14, $4; \
	JB      2(PC); \
	VMOVUPD (SI)(R13*1), Y7

TEXT ·cornerSumsAVX2(SB), NOSPLIT, $0-56
	MOVQ  acc+0(FP), DI
	MOVQ  c+8(FP), AX
	MOVQ  0(AX), R8
	MOVQ  8(AX), R9
	MOVQ  16(AX), R10
	MOVQ  24(AX), R11
	MOVQ  th+16(FP), SI
	MOVQ  n+24(FP), DX
	MOVQ  N+32(FP), R12
	SHLQ  $3, R12
	LEAQ  (R12)(R12*2), R13
	MOVQ  d+40(FP), R14
	MOVQ  $1, BX
	MOVQ  R14, CX
	SHLQ  CX, BX
	DECQ  BX
	SHLQ  $5, BX // (2^d − 1)·32
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ  CX, CX
	CMPQ  sub+48(FP), $0
	JNE   csSub

csAdd:
	CMPQ  CX, DX
	JGE   csDone
	CROWS
	CBLOCK(VADDPD)
	ADDQ  $32, SI
	ADDQ  $4, CX
	JMP   csAdd

csSub:
	CMPQ  CX, DX
	JGE   csDone
	CROWS
	CBLOCK(VSUBPD)
	ADDQ  $32, SI
	ADDQ  $4, CX
	JMP   csSub

csDone:
	VZEROUPPER
	RET


// ---------------------------------------------------------------------------
// func cdFieldsAVX2(phi *float64, c *[4]*uint8, ut *float64, n, N, d int)
//
// cdFields for d ≤ 4 on samples 0 … n−1 (n a multiple of 4) of N: ut
// holds site i's field table row by row, U_i[s·d + k] at ut[(16i + s)·4
// + k] (lanes k ≥ d zero), so that a sample's d fields are one ymm,
// ((U0[s0] + U1[s1]) + U2[s2]) + U3[s3] in the twin's order; a block of 4
// samples is transposed (VUNPCKLPD/VPERM2F128) and spin k's 4 fields
// stored to phi[k·N + m].
//
// Registers: SI, R8, R9, R10 the corners' states, DI ut, BX phi at the
// block, R12 N·8, R13 3N·8, R14 d, CX the sample, DX n.

// CFROW(off, y): y = the fields of sample CX + off (AX clobbered).
#define CFROW(off, y) \
	MOVBLZX off(SI)(CX*1), AX; \
	SHLL    $5, AX; \
	VMOVUPD (DI)(AX*1), y; \
	MOVBLZX off(R8)(CX*1), AX; \
	SHLL    $5, AX; \
	VADDPD  512(DI)(AX*1), y, y; \
	MOVBLZX off(R9)(CX*1), AX; \
	SHLL    $5, AX; \
	VADDPD  1024(DI)(AX*1), y, y; \
	MOVBLZX off(R10)(CX*1), AX; \
	SHLL    $5, AX; \
	VADDPD  1536(DI)(AX*1), y, y

TEXT ·cdFieldsAVX2(SB), NOSPLIT, $0-48
	MOVQ  phi+0(FP), BX
	MOVQ  c+8(FP), AX
	MOVQ  0(AX), SI
	MOVQ  8(AX), R8
	MOVQ  16(AX), R9
	MOVQ  24(AX), R10
	MOVQ  ut+16(FP), DI
	MOVQ  n+24(FP), DX
	MOVQ  N+32(FP), R12
	SHLQ  $3, R12
	LEAQ  (R12)(R12*2), R13
	MOVQ  d+40(FP), R14
	XORQ  CX, CX

cfloop:
	CMPQ       CX, DX
	JGE        cfdone
	CFROW(0, Y0)
	CFROW(1, Y1)
	CFROW(2, Y2)
	CFROW(3, Y3)
	VUNPCKLPD  Y1, Y0, Y4 // spins 0, 2 of samples 0, 1
	VUNPCKHPD  Y1, Y0, Y5 // spins 1, 3
	VUNPCKLPD  Y3, Y2, Y6
	VUNPCKHPD  Y3, Y2, Y7
	VPERM2F128 $0x20, Y6, Y4, Y0 // spin 0 of the 4 samples
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3
	VMOVUPD    Y0, (BX)
	CMPQ       R14, $2
	JB         cfnext
	VMOVUPD    Y1, (BX)(R12*1)
	JE         cfnext
	VMOVUPD    Y2, (BX)(R12*2)
	CMPQ       R14, $4
	JB         cfnext
	VMOVUPD    Y3, (BX)(R13*1)

cfnext:
	ADDQ       $32, BX
	ADDQ       $4, CX
	JMP        cfloop

cfdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// Categorical draws from byte tables (tables of at most 64 rows: CatPair
// for d ≤ 3, CatOne for d ≤ 4), 32 draws a loop in byte lanes, without
// gathers: VPSHUFB looks up 16 bytes by the low 4 bits of each lane's
// index (and gives 0 where its bit 7 is set), so a table of 64 bytes is
// four lookups, ORed, with the index of group g = row ⊕ 16g plus 0x70 (bit
// 7 set unless the row is in group g).
//
// The state is #{j : T_j ≤ u}, and T_j < u holds where the high 16 bits
// compare T_j^16 < u^16, T_j > u where T_j^16 > u^16: the tables hold the
// thresholds' two high bytes (catPrepAVX2), each compared as a byte (signs
// flipped: VPCMPGTB is signed), the second where the first are equal. A
// lane whose 16 high bits equal a threshold's (chance about nt·2^-16 a
// draw) sends the loop's 32 draws to the exact count on the full
// thresholds (a scalar loop): either way the state is the pure-Go twin's,
// bit for bit.
//
// The byte table ptab: threshold j's high bytes then its second bytes, as
// G groups (G = 1 for at most 16 rows, else 4) of 32 bytes, the 16 rows
// 16g … 16g+15 (⊕ 0x80) in both 128-bit lanes: byte
// ((2j + b)·G + g)·32 + 16h + (r − 16g), h = 0, 1.

// func catPrepAVX2(ptab *byte, tab *uint32, R, nt int)
//
// The byte table of a threshold-major table of R ∈ {8, 16, 64} rows and nt
// thresholds (for R = 8 the group's rows 8–15, never looked up, repeat
// rows 0–7).
TEXT ·catPrepAVX2(SB), NOSPLIT, $0-32
	MOVQ    ptab+0(FP), DI
	MOVQ    tab+8(FP), SI
	MOVQ    R+16(FP), BX
	MOVQ    nt+24(FP), CX
	VMOVDQU SIGN8, Y6
	VMOVDQU LOW8W, Y7
	MOVQ    BX, DX
	SHRQ    $4, DX // groups of 16 rows (0 for R = 8)
	MOVQ    DX, R8
	CMPQ    R8, $1
	ADCQ    $0, R8 // G

cpthr:
	MOVQ    R8, R9 // groups left
	MOVQ    DI, R10 // high bytes of group g
	MOVQ    R8, R11
	SHLQ    $5, R11 // G·32: from the high bytes to the second bytes

cpgrp:
	VMOVDQU   (SI), Y0 // rows 16g … 16g+7
	VMOVDQA   Y0, Y1
	TESTQ     DX, DX
	JZ        2(PC)
	VMOVDQU   32(SI), Y1 // rows 16g+8 … 16g+15
	VPSRLD    $16, Y0, Y0
	VPSRLD    $16, Y1, Y1
	VPACKUSDW Y1, Y0, Y0
	VPERMQ    $0xd8, Y0, Y0 // the 16 rows' high words, in order
	VPSRLW    $8, Y0, Y2
	VPACKUSWB Y2, Y2, Y2
	VPERMQ    $0x88, Y2, Y2 // their high bytes, in both lanes
	VPXOR     Y6, Y2, Y2
	VMOVDQU   Y2, (R10)
	VPAND     Y7, Y0, Y3
	VPACKUSWB Y3, Y3, Y3
	VPERMQ    $0x88, Y3, Y3 // their second bytes
	VPXOR     Y6, Y3, Y3
	VMOVDQU   Y3, (R10)(R11*1)
	ADDQ      $64, SI
	ADDQ      $32, R10
	DECQ      R9
	JNZ       cpgrp
	CMPQ      BX, $8
	JNE       2(PC)
	SUBQ      $32, SI // R = 8: 32 bytes a threshold, not 64
	ADDQ      R11, DI
	ADDQ      R11, DI
	DECQ      CX
	JNZ       cpthr
	VZEROUPPER
	RET

// func catByteAVX2(dst, a, b *uint8, n int, ptab *byte, tab *uint32, desc *[5]int, key, base uint64)
//
// The categorical draws of CatPair (shift d) and CatOne (a = b, shift 0)
// for n a multiple of 32, from the byte table ptab of the threshold-major
// table tab (which the exact count reads); desc: nt, G, shift, m = S − 1,
// R.
// Stack: 0(SP) the 32 uniforms of the loop, 128(SP) m in every byte,
// 160(SP) the shift count, 176(SP) 2^shift.
//
// Registers: Y12 the counters of the loop's 16 words; then Y0 the uniforms'
// high bytes, Y1 their second bytes (⊕ 0x80), Y2–Y5 the groups' indices
// (Y2 alone for G = 1), Y6 the count, Y7 the lanes with equal high halves,
// Y8–Y11, Y13 scratch. R9 ptab, R11 the threshold's bytes, R12 thresholds
// left.

// CBLOOK(g): Y8, Y9 = the high and second bytes of threshold R11, rows Y2
// (G = 1).
#define CBLOOK1 \
	VMOVDQU (R11), Y10; \
	VPSHUFB Y2, Y10, Y8; \
	VMOVDQU 32(R11), Y10; \
	VPSHUFB Y2, Y10, Y9

// CBLOOK4: the same for G = 4, the groups' indices in Y2–Y5.
#define CBLOOK4 \
	VMOVDQU (R11), Y10; \
	VPSHUFB Y2, Y10, Y8; \
	VMOVDQU 32(R11), Y10; \
	VPSHUFB Y3, Y10, Y10; \
	VPOR    Y10, Y8, Y8; \
	VMOVDQU 64(R11), Y10; \
	VPSHUFB Y4, Y10, Y10; \
	VPOR    Y10, Y8, Y8; \
	VMOVDQU 96(R11), Y10; \
	VPSHUFB Y5, Y10, Y10; \
	VPOR    Y10, Y8, Y8; \
	VMOVDQU 128(R11), Y10; \
	VPSHUFB Y2, Y10, Y9; \
	VMOVDQU 160(R11), Y10; \
	VPSHUFB Y3, Y10, Y10; \
	VPOR    Y10, Y9, Y9; \
	VMOVDQU 192(R11), Y10; \
	VPSHUFB Y4, Y10, Y10; \
	VPOR    Y10, Y9, Y9; \
	VMOVDQU 224(R11), Y10; \
	VPSHUFB Y5, Y10, Y10; \
	VPOR    Y10, Y9, Y9

// CBCMP: Y6 += (T < u by the high 16 bits), Y7 |= (equal high 16 bits),
// T's bytes in Y8, Y9.
#define CBCMP \
	VPCMPGTB Y8, Y0, Y11; \
	VPCMPEQB Y8, Y0, Y8; \
	VPCMPGTB Y9, Y1, Y13; \
	VPCMPEQB Y9, Y1, Y9; \
	VPAND    Y13, Y8, Y13; \
	VPOR     Y13, Y11, Y11; \
	VPSUBB   Y11, Y6, Y6; \
	VPAND    Y9, Y8, Y8; \
	VPOR     Y8, Y7, Y7

TEXT ·catByteAVX2(SB), NOSPLIT, $184-72
	MOVQ         dst+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         b+16(FP), R8
	MOVQ         ptab+32(FP), R9
	MOVQ         desc+48(FP), R15
	MOVQ         24(R15), AX // m
	VMOVD        AX, X8
	VPBROADCASTB X8, Y8
	VMOVDQU      Y8, 128(SP)
	MOVQ         16(R15), CX // shift
	MOVQ         CX, 160(SP)
	MOVQ         $0, 168(SP)
	MOVQ         $1, AX
	SHLQ         CX, AX
	MOVQ         AX, 176(SP)
	MOVQ         base+64(FP), AX
	INCQ         AX
	IMULQ        GAMMA, AX
	ADDQ         key+56(FP), AX
	MOVQ         GAMMA, R10
	CTR4(AX, R10, BX, X12, X13, Y12) // lane j: key + (base + 1 + j)·Gamma
	MOVQ         n+24(FP), CX

cbloop:
	TESTQ        CX, CX
	JZ           cbdone
	// the uniforms: words 16i … 16i+15 in Y0–Y3
	VMOVDQU      Y12, Y0
	VPADDQ       GAMMA4, Y12, Y1
	VPADDQ       GAMMA4, Y1, Y2
	VPADDQ       GAMMA4, Y2, Y3
	VPADDQ       GAMMA4, Y3, Y12
	MIX(Y0, Y4)
	MIX(Y1, Y4)
	MIX(Y2, Y4)
	MIX(Y3, Y4)
	VMOVDQU      Y0, 0(SP)
	VMOVDQU      Y1, 32(SP)
	VMOVDQU      Y2, 64(SP)
	VMOVDQU      Y3, 96(SP)
	// their high 16 bits as bytes, in the draws' order
	VPSRLD       $16, Y0, Y0
	VPSRLD       $16, Y1, Y1
	VPSRLD       $16, Y2, Y2
	VPSRLD       $16, Y3, Y3
	VPACKUSDW    Y1, Y0, Y0
	VPACKUSDW    Y3, Y2, Y2
	VMOVDQU      PERM04, Y5
	VPSRLW       $8, Y0, Y1
	VPSRLW       $8, Y2, Y3
	VPACKUSWB    Y3, Y1, Y1
	VPERMD       Y1, Y5, Y1
	VPAND        LOW8W, Y0, Y0
	VPAND        LOW8W, Y2, Y2
	VPACKUSWB    Y2, Y0, Y0
	VPERMD       Y0, Y5, Y0
	VPXOR        SIGN8, Y0, Y4 // second bytes
	VPXOR        SIGN8, Y1, Y0 // high bytes
	VMOVDQA      Y4, Y1
	// rows
	VMOVDQU      (SI), Y2
	VPAND        128(SP), Y2, Y2
	VPSLLW       160(SP), Y2, Y2
	VMOVDQU      (R8), Y3
	VPAND        128(SP), Y3, Y3
	VPOR         Y3, Y2, Y2
	VPXOR        Y6, Y6, Y6
	VPXOR        Y7, Y7, Y7
	MOVQ         R9, R11
	MOVQ         0(R15), R12 // nt
	CMPQ         8(R15), $1
	JNE          cbwide

cbthr1:
	CBLOOK1
	CBCMP
	ADDQ         $64, R11
	DECQ         R12
	JNZ          cbthr1
	JMP          cbcount

cbwide:
	VPXOR        BYTE10, Y2, Y3
	VPXOR        BYTE20, Y2, Y4
	VPXOR        BYTE30, Y2, Y5
	VPADDB       BYTE70, Y2, Y2
	VPADDB       BYTE70, Y3, Y3
	VPADDB       BYTE70, Y4, Y4
	VPADDB       BYTE70, Y5, Y5

cbthr4:
	CBLOOK4
	CBCMP
	ADDQ         $256, R11
	DECQ         R12
	JNZ          cbthr4

cbcount:
	VPTEST       Y7, Y7
	JNZ          cbexact
	VMOVDQU      Y6, (DI)

cbnext:
	ADDQ         $32, DI
	ADDQ         $32, SI
	ADDQ         $32, R8
	SUBQ         $32, CX
	JMP          cbloop

cbexact:
	// draw i: row r = (a_i & m)·2^shift | (b_i & m), uniform u_i, state
	// #{j : tab[j·R + r] ≤ u_i}
	MOVQ         32(R15), R13 // R
	SHLQ         $2, R13 // bytes from threshold j's row to j+1's
	XORQ         R10, R10 // i

cbx:
	MOVBLZX      (SI)(R10*1), AX
	ANDL         24(R15), AX
	IMULL        176(SP), AX
	MOVBLZX      (R8)(R10*1), DX
	ANDL         24(R15), DX
	ORL          DX, AX
	MOVQ         tab+40(FP), R11
	LEAQ         (R11)(AX*4), R11 // threshold 0 of row r
	MOVL         0(SP)(R10*4), DX // u_i
	XORL         BX, BX
	MOVQ         0(R15), R12

cbxthr:
	CMPL         DX, (R11)
	JCS          2(PC)
	INCL         BX
	ADDQ         R13, R11
	DECQ         R12
	JNZ          cbxthr
	MOVB         BX, (DI)(R10*1)
	INCQ         R10
	CMPQ         R10, $32
	JB           cbx
	JMP          cbnext

cbdone:
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// func prodRowsAVX2(dst, a, b *uint8, n int, ear, ebr *float64, m int, key, base uint64)
//
// ProdPairGeneric for d = 3 or 4 (⌈d/2⌉ = 2 words a draw) and n even,
// without gathers: the lanes are a draw's spins. ear and ebr hold the
// factor tables row by row, EA_k[s] at ear[4s + k], so that a draw's d
// factors of each neighbour are one ymm; its 4 uniforms are the dwords of
// its 2 words, converted exactly (VCVTDQ2PD of u − 2^31, plus 2^31); and
// VMOVMSKPD of !(U + U·w < 2^32) is the state (masked by m = 2^d − 1).
// Two draws a loop, one MIX of 4 words.

// PRDRAW(x, off): the draw at off(SI), off(R8) to off(DI), its uniforms
// the dwords of x (signs flipped).
#define PRDRAW(x, off) \
	VCVTDQ2PD x, Y1; \
	VADDPD    TWO31, Y1, Y1; \
	MOVBLZX   off(SI), AX; \
	ANDL      R11, AX; \
	SHLL      $5, AX; \
	MOVBLZX   off(R8), BX; \
	ANDL      R11, BX; \
	SHLL      $5, BX; \
	VMOVUPD   (R9)(AX*1), Y2; \
	VMULPD    (R10)(BX*1), Y2, Y2; \
	VMULPD    Y2, Y1, Y2; \
	VADDPD    Y2, Y1, Y2; \
	VCMPPD    $0x15, TWO32, Y2, Y2; \
	VMOVMSKPD Y2, AX; \
	ANDL      R11, AX; \
	MOVB      AX, off(DI)

TEXT ·prodRowsAVX2(SB), NOSPLIT, $0-72
	MOVQ  dst+0(FP), DI
	MOVQ  a+8(FP), SI
	MOVQ  b+16(FP), R8
	MOVQ  n+24(FP), CX
	MOVQ  ear+32(FP), R9
	MOVQ  ebr+40(FP), R10
	MOVQ  m+48(FP), R11
	MOVQ  base+64(FP), AX
	INCQ  AX
	IMULQ GAMMA, AX
	ADDQ  key+56(FP), AX
	MOVQ  GAMMA, R12
	CTR4(AX, R12, BX, X7, X8, Y7) // lane j: key + (base + 1 + j)·Gamma

prloop:
	TESTQ        CX, CX
	JZ           prdone
	VMOVDQU      Y7, Y0
	VPADDQ       GAMMA4, Y7, Y7
	MIX(Y0, Y1)
	VPXOR        SIGN32, Y0, Y0
	VEXTRACTI128 $1, Y0, X3
	PRDRAW(X0, 0)
	PRDRAW(X3, 1)
	ADDQ         $2, SI
	ADDQ         $2, R8
	ADDQ         $2, DI
	SUBQ         $2, CX
	JMP          prloop

prdone:
	VZEROUPPER
	RET
