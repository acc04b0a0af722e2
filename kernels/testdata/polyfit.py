# Polynomial fits used by kernels/kernels_avx512_amd64.s and
# kernels_avx2_amd64.s (run: python3 polyfit.py; needs mpmath). This is the
# exploration script (it also prints the neighbouring degrees); the check is
# kernels/coeffs_test.go, which recomputes every constant in Go.
# chebyfit gives near-minimax coefficients (highest degree first); the
# "rounded" column is the max abs error after rounding them to float64.
#   h8: (e^r - 1 - r)/r^2 on |r| <= 1.01*ln2/16  (AVX-512 exp, 8-entry table)
#   h1: the same on |r| <= 1.01*ln2/2            (AVX2 exp, no table)
#   P:  2 atanh(sqrt w)/sqrt w on w <= 1.01*(3-2*sqrt2)^2  (log on [1, 2])
import mpmath as mp
mp.mp.dps = 50
def fit(name, f, a, b, N):
    c, err = mp.chebyfit(f, [a, b], N, error=True)
    # check error with coefficients rounded to double
    cd = [mp.mpf(float(x)) for x in c]
    m = 0
    for i in range(2001):
        x = a + (b-a)*i/2000
        if x == 0: continue
        v = mp.polyval(cd, x); t = f(x)
        m = max(m, abs(v-t))
    print(name, "N", N, "err", mp.nstr(err,3), "rounded", mp.nstr(m,3))
    return [float(x) for x in c]
ln2 = mp.log(2)
def h(r):
    if r == 0: return mp.mpf(1)/2
    return (mp.exp(r)-1-r)/r**2
for N in (5,6,7):
    fit("h8", h, -ln2/16*1.01, ln2/16*1.01, N)
for N in (9,10,11):
    fit("h1", h, -ln2/2*1.01, ln2/2*1.01, N)
zmax = (mp.sqrt(2)-1)/(mp.sqrt(2)+1)
def P(w):
    if w == 0: return mp.mpf(2)
    z = mp.sqrt(w); return 2*mp.atanh(z)/z
for N in (7,8,9):
    fit("P", P, 0, zmax**2*1.01, N)
print("----")
for name, f, a, b, N in (("h8", h, -ln2/16*1.01, ln2/16*1.01, 6), ("h1", h, -ln2/2*1.01, ln2/2*1.01, 10), ("P", P, 0, zmax**2*1.01, 8)):
    c = fit(name, f, a, b, N)
    print(name, [repr(x) for x in c])
print(repr(float(mp.log(mp.sqrt(2)))), repr(float(1+mp.sqrt(2))), repr(float(1-mp.sqrt(2))), repr(float(mp.sqrt(2))))
l8 = ln2/8; hi = float(l8); 
# hi with trailing zeros for exact k*hi
import struct
def trunc(x, bits):
    b = struct.unpack('<Q', struct.pack('<d', x))[0]; b &= ~((1<<bits)-1); return struct.unpack('<d', struct.pack('<Q', b))[0]
for name, c in (("ln2/8", ln2/8), ("ln2", ln2)):
    hi = trunc(float(c), 20); lo = float(c - hi); print(name, repr(hi), repr(lo))
print(repr(float(8/ln2)), repr(float(1/ln2)), repr(float(ln2)))
print([repr(float(mp.mpf(2)**(mp.mpf(j)/8))) for j in range(8)])
