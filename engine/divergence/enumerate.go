package divergence

import (
	"context"
	"fmt"
	"math"
)

// The enumeration visits every visible configuration, in the sweep order
// of the transfer matrix with the last site changing fastest. A factor is
// booked at the level of its last site, and each level keeps the partial
// sums of log w_f, log w_c and the derivatives over the factors booked up
// to it, so that a configuration costs only the levels that changed (on
// average little more than the last) and nothing accumulates rounding from
// one configuration to the next. The global flip v → −v leaves every
// summand unchanged (docs/conventions.md §9), so the first site takes only
// the states with its top spin up, each counted twice. The configurations
// are cut into chunks by the states of the first sites, spread over the
// CPUs and added in chunk order: the result does not depend on the number
// of goroutines. The batch's couplings are lanes of one pass.

// enumSums are one chunk's sums for one lane: with p_f = exp(log w_f −
// mf) and p_c = exp(log w_c − mc), Σ p_f, Σ p_f log w_f, Σ p_f log w_c,
// Σ p_c, Σ p_f g, Σ p_c g and (second order) Σ p_f h, Σ p_c h, Σ p_c g gᵀ
// (upper triangles), (mixed) Σ p_f u, Σ p_f g uᵀ.
type enumSums struct {
	mf, mc             float64
	sf, sfa, sfb, sc   float64
	gf, gc             []float64
	hf, hc, cc, uf, fu []float64
}

func newEnumSums(c int, second, mixed bool) *enumSums {
	nh := c * (c + 1) / 2
	s := &enumSums{mf: math.Inf(-1), mc: math.Inf(-1), gf: make([]float64, c), gc: make([]float64, c)}
	if second {
		s.hf, s.hc, s.cc = make([]float64, nh), make([]float64, nh), make([]float64, nh)
	}
	if mixed {
		s.uf, s.fu = make([]float64, c), make([]float64, c*c)
	}
	return s
}

// rescaleF multiplies the fine sums by r (a new shift), rescaleC the
// coarse ones.
func (s *enumSums) rescaleF(r float64) {
	s.sf *= r
	s.sfa *= r
	s.sfb *= r
	scale(s.gf, r)
	scale(s.hf, r)
	scale(s.uf, r)
	scale(s.fu, r)
}

func (s *enumSums) rescaleC(r float64) {
	s.sc *= r
	scale(s.gc, r)
	scale(s.hc, r)
	scale(s.cc, r)
}

func scale(x []float64, r float64) {
	for i := range x {
		x[i] *= r
	}
}

// rescaleSlack is how far above its shift a log-weight may go before the
// shift moves: e^64 leaves room for 2^26 configurations in a float64.
const rescaleSlack = 64

// enumerate evaluates L lanes (J and Jp hold L×c couplings). It stops
// between chunks once ctx is done, returning its error.
func (p *Pair) enumerate(ctx context.Context, J, Jp []float64, L int, second, mixed bool) ([]Derivatives, error) {
	c, S, d := p.C, p.S, p.D
	n := len(p.order)
	if bits := d * n; bits > MaxEnumerateBits {
		panic(fmt.Sprintf("divergence: %s with %s has 2^%d visible configurations, more than the enumeration's 2^%d", p.Geometry.Name, p.Rep.Name, bits, MaxEnumerateBits))
	}
	nh := c * (c + 1) / 2
	// tables[class][lane]
	tables := make([][]table, len(p.classes))
	for id := range p.classes {
		tables[id] = make([]table, L)
	}
	parallelFor(len(p.classes)*L, p.workers(), func(k int) {
		id, l := k/L, k%L
		cl := p.classes[id]
		if cl.fine {
			tables[id][l] = p.classTable(cl, J[l*c:(l+1)*c], mixed, false)
		} else {
			tables[id][l] = p.classTable(cl, Jp[l*c:(l+1)*c], true, second)
		}
	})
	pos := make([]int, n)
	for q, v := range p.order {
		pos[v] = q
	}
	// each factor's level and the positions of its scope
	type booked struct {
		class int
		pos   []int
	}
	fineAt, coarseAt := make([][]booked, n), make([][]booked, n)
	book := func(f factor) (int, booked) {
		b := booked{class: f.class}
		lvl := 0
		for _, v := range f.scope {
			b.pos = append(b.pos, pos[v])
			lvl = max(lvl, pos[v])
		}
		return lvl, b
	}
	for _, f := range p.fine {
		lvl, b := book(f)
		fineAt[lvl] = append(fineAt[lvl], b)
	}
	for _, f := range p.coarse {
		lvl, b := book(f)
		coarseAt[lvl] = append(coarseAt[lvl], b)
	}
	// chunks: the states of the first pre sites (the first with its top
	// spin up), at least 256 chunks where there are enough configurations;
	// the last site is always the inner loop
	pre, chunks := 1, S/2
	for chunks < 256 && pre < n-1 {
		pre++
		chunks *= S
	}
	parts := make([][]*enumSums, chunks)
	parallelFor(chunks, p.workers(), func(ch int) {
		if ctx.Err() != nil {
			return
		}
		// per-level partial sums, [level][lane]
		lf, lc := make([]float64, n*L), make([]float64, n*L)
		G := make([]float64, n*L*c)
		var H, Uf []float64
		if second {
			H = make([]float64, n*L*nh)
		}
		if mixed {
			Uf = make([]float64, n*L*c)
		}
		acc := make([]*enumSums, L)
		for l := range acc {
			acc[l] = newEnumSums(c, second, mixed)
		}
		st := make([]int, n)
		x := ch
		st[0] = x % (S / 2)
		x /= S / 2
		for q := 1; q < pre; q++ {
			st[q] = x % S
			x /= S
		}
		local := func(b booked) int {
			x := 0
			for m, q := range b.pos {
				x |= st[q] << (uint(d) * uint(m))
			}
			return x
		}
		level := func(q int) {
			for l := 0; l < L; l++ {
				i := q*L + l
				if q == 0 {
					lf[i], lc[i] = 0, 0
					clear(G[i*c : (i+1)*c])
					if second {
						clear(H[i*nh : (i+1)*nh])
					}
					if mixed {
						clear(Uf[i*c : (i+1)*c])
					}
				} else {
					j := i - L
					lf[i], lc[i] = lf[j], lc[j]
					copy(G[i*c:(i+1)*c], G[j*c:(j+1)*c])
					if second {
						copy(H[i*nh:(i+1)*nh], H[j*nh:(j+1)*nh])
					}
					if mixed {
						copy(Uf[i*c:(i+1)*c], Uf[j*c:(j+1)*c])
					}
				}
			}
			for _, b := range fineAt[q] {
				x := local(b)
				for l := 0; l < L; l++ {
					i := q*L + l
					t := &tables[b.class][l]
					lf[i] += t.lw[x]
					if mixed {
						addTo(Uf[i*c:(i+1)*c], t.d[x*c:(x+1)*c])
					}
				}
			}
			for _, b := range coarseAt[q] {
				x := local(b)
				for l := 0; l < L; l++ {
					i := q*L + l
					t := &tables[b.class][l]
					lc[i] += t.lw[x]
					addTo(G[i*c:(i+1)*c], t.d[x*c:(x+1)*c])
					if second {
						addTo(H[i*nh:(i+1)*nh], t.h[x*nh:(x+1)*nh])
					}
				}
			}
		}
		// the last site's states are the inner loop: its factors' local
		// indices are base + s·stride, and their weights come from the
		// tables' exp(log w − max), so that a configuration costs lookups
		// and products, and the exponentials are taken once per S of them
		last := n - 1
		lastF, lastC := fineAt[last], coarseAt[last]
		stride := func(b booked) int {
			for m, q := range b.pos {
				if q == last {
					return 1 << (uint(d) * uint(m))
				}
			}
			panic("divergence: a factor booked at the last site lacks it")
		}
		baseF, strideF := make([]int, len(lastF)), make([]int, len(lastF))
		baseC, strideC := make([]int, len(lastC)), make([]int, len(lastC))
		for k, b := range lastF {
			strideF[k] = stride(b)
		}
		for k, b := range lastC {
			strideC[k] = stride(b)
		}
		g, h, u := make([]float64, c), make([]float64, nh), make([]float64, c)
		for q := 0; q < last; q++ {
			level(q)
		}
		for {
			st[last] = 0
			for k, b := range lastF {
				baseF[k] = local(b)
			}
			for k, b := range lastC {
				baseC[k] = local(b)
			}
			for l := 0; l < L; l++ {
				i := (last-1)*L + l
				a := acc[l]
				// upper bounds of log w over the last site's states: the
				// shifts move (rarely) only when these pass them
				ubF, ubC := lf[i], lc[i]
				for _, b := range lastF {
					ubF += tables[b.class][l].max
				}
				for _, b := range lastC {
					ubC += tables[b.class][l].max
				}
				if ubF-a.mf > rescaleSlack {
					a.rescaleF(math.Exp(a.mf - ubF))
					a.mf = ubF
				}
				if ubC-a.mc > rescaleSlack {
					a.rescaleC(math.Exp(a.mc - ubC))
					a.mc = ubC
				}
				eF, eC := math.Exp(ubF-a.mf), math.Exp(ubC-a.mc)
				for sl := 0; sl < S; sl++ {
					wf, pf := lf[i], eF
					if mixed {
						copy(u, Uf[i*c:(i+1)*c])
					}
					for k, b := range lastF {
						x := baseF[k] + sl*strideF[k]
						t := &tables[b.class][l]
						wf += t.lw[x]
						pf *= t.w[x]
						if mixed {
							addTo(u, t.d[x*c:(x+1)*c])
						}
					}
					wc, pc := lc[i], eC
					copy(g, G[i*c:(i+1)*c])
					if second {
						copy(h, H[i*nh:(i+1)*nh])
					}
					for k, b := range lastC {
						x := baseC[k] + sl*strideC[k]
						t := &tables[b.class][l]
						wc += t.lw[x]
						pc *= t.w[x]
						addTo(g, t.d[x*c:(x+1)*c])
						if second {
							addTo(h, t.h[x*nh:(x+1)*nh])
						}
					}
					a.sf += pf
					a.sfa += pf * wf
					a.sfb += pf * wc
					a.sc += pc
					for k, v := range g {
						a.gf[k] += pf * v
						a.gc[k] += pc * v
					}
					if second {
						t := 0
						for k := 0; k < c; k++ {
							pg := pc * g[k]
							for m := k; m < c; m++ {
								a.hf[t] += pf * h[t]
								a.hc[t] += pc * h[t]
								a.cc[t] += pg * g[m]
								t++
							}
						}
					}
					if mixed {
						for k, v := range u {
							a.uf[k] += pf * v
						}
						for k := 0; k < c; k++ {
							pg := pf * g[k]
							row := a.fu[k*c : (k+1)*c]
							for m, v := range u {
								row[m] += pg * v
							}
						}
					}
				}
			}
			// the next configuration of the sites between the chunk's
			// prefix and the last: an odometer
			q := last - 1
			for q >= pre {
				st[q]++
				if st[q] < S {
					break
				}
				st[q] = 0
				q--
			}
			if q < pre {
				break
			}
			for ; q < last; q++ {
				level(q)
			}
		}
		parts[ch] = acc
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]Derivatives, L)
	for l := 0; l < L; l++ {
		tot := newEnumSums(c, second, mixed)
		for _, part := range parts {
			tot.mf = math.Max(tot.mf, part[l].mf)
			tot.mc = math.Max(tot.mc, part[l].mc)
		}
		for _, part := range parts {
			a := part[l]
			rf, rc := math.Exp(a.mf-tot.mf), math.Exp(a.mc-tot.mc)
			tot.sf += rf * a.sf
			tot.sfa += rf * a.sfa
			tot.sfb += rf * a.sfb
			tot.sc += rc * a.sc
			addScaled(tot.gf, a.gf, rf)
			addScaled(tot.gc, a.gc, rc)
			addScaled(tot.hf, a.hf, rf)
			addScaled(tot.hc, a.hc, rc)
			addScaled(tot.cc, a.cc, rc)
			addScaled(tot.uf, a.uf, rf)
			addScaled(tot.fu, a.fu, rf)
		}
		out[l] = p.assemble(tot.sums(c, second, mixed), second, mixed)
	}
	return out, nil
}

// sums turns the totals into the expectations and log Z's (the flip's
// factor 2 counted back into both Z).
func (t *enumSums) sums(c int, second, mixed bool) sums {
	s := sums{
		efLogWf: t.sfa / t.sf,
		logZf:   t.mf + math.Log(t.sf) + math.Ln2,
		efLogWc: t.sfb / t.sf,
		logZc:   t.mc + math.Log(t.sc) + math.Ln2,
		efG:     make([]float64, c),
		dLogZc:  make([]float64, c),
	}
	for a := 0; a < c; a++ {
		s.efG[a] = t.gf[a] / t.sf
		s.dLogZc[a] = t.gc[a] / t.sc
	}
	if second {
		s.efH, s.d2LogZc = make([]float64, c*c), make([]float64, c*c)
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				k := triangle(a, b, c)
				s.efH[a*c+b] = t.hf[k] / t.sf
				s.d2LogZc[a*c+b] = (t.hc[k]+t.cc[k])/t.sc - s.dLogZc[a]*s.dLogZc[b]
			}
		}
	}
	if mixed {
		s.covGU = make([]float64, c*c)
		for a := 0; a < c; a++ {
			for b := 0; b < c; b++ {
				s.covGU[a*c+b] = t.fu[a*c+b]/t.sf - s.efG[a]*t.uf[b]/t.sf
			}
		}
	}
	return s
}

func addTo(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}

func addScaled(dst, src []float64, r float64) {
	for i, v := range src {
		dst[i] += r * v
	}
}
