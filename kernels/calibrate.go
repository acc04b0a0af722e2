package kernels

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rgflow/rgflow/kernels/dense"
	"github.com/rgflow/rgflow/kernels/internal/dispatch"
)

// The start-up calibration (Calibrate) times each kernel whose candidates
// give the same bits on one workload of the contrastive divergence's
// reference configuration (A1+E: d = 3, 512 chains; ProdPair at d = 4,
// where the engine uses it) and of its network (5×80, a batch of 64), by
// dispatch.Measure, and keeps the default unless a candidate wins clearly
// (dispatch.DefaultRule). The result is cached per CPU model and build.

// startupCalibrator is the calibrator Calibrate uses: the cache, else
// dispatch.Measure with dispatch.DefaultRule.
type startupCalibrator struct{}

func (startupCalibrator) choose(todo []calTask) CalibrationInfo {
	return calibrateWith(todo, dispatch.CacheKey(), dispatch.Measure, dispatch.DefaultRule)
}

// calibrateWith runs the calibration of todo: entries of the cache for key
// (none if key is "") are taken as they are, the rest measured by measure
// and decided by rule, and the cache rewritten with them.
func calibrateWith(todo []calTask, key string, measure func([]dispatch.Candidate, dispatch.Rule) ([][]float64, time.Duration), rule dispatch.Rule) CalibrationInfo {
	info := CalibrationInfo{Ran: true, Clock: dispatch.Clock}
	var cached *dispatch.Calibration
	if key != "" {
		if path, err := dispatch.CachePath(); err != nil {
			info.Err = err.Error()
		} else {
			info.File = path
			cached, _ = dispatch.LoadCache(path, key)
		}
	}
	rec := &dispatch.Calibration{Key: key, Clock: dispatch.Clock}
	var fresh []calTask
	for _, t := range todo {
		if e, ok := cached.Find(t.k.name, t.cands); ok && e.Default == t.def {
			t.apply(e, whyCached)
			rec.Kernels = append(rec.Kernels, e)
			continue
		}
		fresh = append(fresh, t)
	}
	if len(fresh) == 0 {
		info.Cached, info.Seconds = true, cached.Seconds
		return info
	}
	var took time.Duration
	for _, t := range fresh {
		run := t.k.work()
		cands := make([]dispatch.Candidate, len(t.cands))
		def := 0
		for i, name := range t.cands {
			cands[i] = dispatch.Candidate{Path: name, Run: run(pathOf(plain[name]))}
			if name == t.def {
				def = i
			}
		}
		secs, d := measure(cands, rule)
		took += d
		e := dispatch.KernelCalibration{Kernel: t.k.name, Paths: t.cands, Default: t.def}
		for _, s := range secs {
			e.Median = append(e.Median, dispatch.Median(s))
		}
		e.Chosen = t.cands[dispatch.Decide(secs, def, rule)]
		t.apply(e, whyCal)
		rec.Kernels = append(rec.Kernels, e)
	}
	info.Seconds = took.Seconds()
	rec.Seconds = info.Seconds
	if cached != nil {
		rec.Seconds += cached.Seconds
	}
	if info.File != "" {
		if err := dispatch.StoreCache(info.File, rec); err != nil {
			info.Err = err.Error()
		}
	}
	return info
}

// apply writes a calibration's result into the task's choice: the path
// when it differs from the default, and the timings either way.
func (t calTask) apply(e dispatch.KernelCalibration, why string) {
	c := t.choice
	c.Timings = nil
	for i, p := range e.Paths {
		c.Timings = append(c.Timings, Timing{p, e.Median[i]})
	}
	c.Why = why
	if e.Chosen != t.def && implNamed(e.Chosen) != nil {
		c.Path, c.Note = e.Chosen, fmt.Sprintf("instead of %s", t.def)
	}
}

// The calibration workloads: each makes its inputs once and returns, for
// a path, one call of the kernel on them. (Set here rather than in
// kernelDefs, whose initialisation they would otherwise depend on.)
func init() {
	work := map[string]func() func(Path) func(){
		"relu": reluWork, "reluMask": reluMaskWork, "adam": adamWork,
		"fineChainBits": fineBitsWork, "fineChain": fineChainWork, "catPair": catPairWork, "catOne": catOneWork,
		"centreStates": centreWork, "cdStats": cdStatsWork, "cornerSums": cornerSumsWork, "uniformStates": uniformWork,
		"lcTanh": lcTanhWork, "sigmoidPairs": sigmoidsWork, "catRows": catRowsWork, "prodPair": prodPairWork,
	}
	for i := range kernelDefs {
		k := &kernelDefs[i]
		switch {
		case k.fn == nil:
			k.work = gemmWork(k.class)
		case k.bits == bitsSame:
			if k.work = work[k.name]; k.work == nil {
				panic("kernels: no calibration workload for " + k.name)
			}
		}
	}
}

func normals(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func states(rng *rand.Rand, n, d int) []uint8 {
	s := make([]uint8, n)
	for i := range s {
		s[i] = uint8(rng.IntN(1 << d))
	}
	return s
}

// calN is the number of chains of the calibration's Gibbs workloads (the
// CD's reference cd.samples) and calD their d (A1+E).
const (
	calN = 512
	calD = 3
)

func reluWork() func(Path) func() {
	z := normals(rand.New(rand.NewPCG(1, 1)), 64*80)
	return func(p Path) func() {
		dst := make([]float64, len(z))
		return func() { p.Relu(dst, z) }
	}
}

func reluMaskWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 2))
	z, g := normals(rng, 64*80), normals(rng, 64*80)
	return func(p Path) func() { return func() { p.ReluMask(g, z) } }
}

func adamWork() func(Path) func() {
	const n = 4*80*80 + 5*80 + 2*80 // about the 5×80 network's parameters
	rng := rand.New(rand.NewPCG(1, 3))
	grad := normals(rng, n)
	c := AdamCoef{Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 0.001, C1: 0.5, C2: 0.5, LR: 1e-3, Eps: 1e-8}
	return func(p Path) func() {
		params, m, v := normals(rng, n), make([]float64, n), make([]float64, n)
		return func() { p.Adam(params, grad, m, v, &c) }
	}
}

func fineBitsWork() func(Path) func() {
	return func(p Path) func() {
		f := FineBits{Steps: 4, PFlip: 722480064893763968, Key: 99}
		for i := range f.C {
			f.C[i] = make([]uint64, 8)
		}
		return func() { p.FineChainBits(&f) }
	}
}

func fineChainWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 4))
	var f FineChain
	f.D, f.Steps, f.Key = calD, 2, 77
	for i := range 4 {
		f.Hid[i], f.Cor[i] = randomCatTable(rng, calD), randomCatTable(rng, calD)
		f.C[i], f.H[i] = states(rng, calN, calD), states(rng, calN, calD)
	}
	return func(p Path) func() { return func() { p.FineChain(&f) } }
}

func catPairWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 5))
	tab, a, b := randomCatTable(rng, calD), states(rng, calN, calD), states(rng, calN, calD)
	return func(p Path) func() {
		dst := make([]uint8, calN)
		return func() { p.CatPair(dst, a, b, tab, calD, 12345, 0) }
	}
}

func catOneWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 6))
	tab, a := randomCatRows(rng, 1<<calD, calD), states(rng, calN, calD)
	return func(p Path) func() {
		dst := make([]uint8, calN)
		return func() { p.CatOne(dst, a, tab, calD, 12345, 0) }
	}
}

func centreWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 7))
	th := make([]float64, calD*calN)
	for i := range th {
		th[i] = 2*rng.Float64() - 1
	}
	return func(p Path) func() {
		dst := make([]uint8, calN)
		return func() { p.CentreStates(dst, th, calD, 12345, 0) }
	}
}

func cdStatsWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 8))
	var st CDStats
	st.D = calD
	for i := range 4 {
		st.C[i], st.U[i] = states(rng, calN, calD), normals(rng, calD<<calD)
	}
	return func(p Path) func() {
		st := st
		st.Phi, st.Th = make([]float64, calD*calN), make([]float64, calD*calN)
		var acc LcLanes
		return func() { p.CDStats(&st, &acc) }
	}
}

func cornerSumsWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 9))
	var C [4][]uint8
	for i := range C {
		C[i] = states(rng, calN, calD)
	}
	th := normals(rng, calD*calN)
	return func(p Path) func() {
		var W [4][]float64
		for i := range W {
			W[i] = make([]float64, calD<<calD)
		}
		return func() { p.CornerSums(&W, &C, th, calD, 1) }
	}
}

func uniformWork() func(Path) func() {
	return func(p Path) func() {
		dst := make([]uint8, calN)
		return func() { p.UniformStates(dst, calD, 12345, 0) }
	}
}

func lcTanhWork() func(Path) func() {
	x := normals(rand.New(rand.NewPCG(1, 10)), calD*calN)
	return func(p Path) func() {
		th := make([]float64, len(x))
		var acc LcLanes
		return func() { p.LcTanh(th, x, &acc) }
	}
}

// The tables of a CD epoch: R = 64 rows (2^(2d)) of d spins.
const calRows = 1 << (2 * calD)

func sigmoidsWork() func(Path) func() {
	x := normals(rand.New(rand.NewPCG(1, 11)), calRows*calD)
	return func(p Path) func() {
		plus, minus := make([]float64, len(x)), make([]float64, len(x))
		return func() { p.SigmoidPairs(plus, minus, x) }
	}
}

func catRowsWork() func(Path) func() {
	rng := rand.New(rand.NewPCG(1, 12))
	plus := make([]float64, calRows*calD)
	minus := make([]float64, len(plus))
	for i := range plus {
		plus[i] = rng.Float64()
		minus[i] = 1 - plus[i]
	}
	return func(p Path) func() {
		tab := make([]uint32, CatTableLen(calRows, calD))
		return func() { p.CatRows(tab, plus, minus, calRows, calD) }
	}
}

func prodPairWork() func(Path) func() {
	const d = ProdMinD
	rng := rand.New(rand.NewPCG(1, 13))
	ea, eb := make([]float64, d<<d), make([]float64, d<<d)
	for i := range ea {
		ea[i], eb[i] = rng.Float64()+0.1, rng.Float64()+0.1
	}
	a, b := states(rng, calN, d), states(rng, calN, d)
	return func(p Path) func() {
		dst := make([]uint8, calN)
		return func() { p.ProdPair(dst, a, b, ea, eb, d, 12345, 0) }
	}
}

// gemmWork is the workload of a product class: the 5×80 network's layer
// (80×80 weights) on a batch of 64 rows, or on one row for ClassNTFew.
func gemmWork(c dense.Class) func() func(Path) func() {
	return func() func(Path) func() {
		const w, batch = 80, 64
		rng := rand.New(rand.NewPCG(1, 14+uint64(c)))
		x, wt := normals(rng, batch*w), normals(rng, w*w)
		return func(p Path) func() {
			out := make([]float64, max(batch, w)*w)
			g := p.Dense()
			switch c {
			case dense.ClassNTFew:
				return func() { g.Gemm(false, true, 1, w, w, x, w, wt, w, 0, out, w) }
			case dense.ClassTN:
				return func() { g.Gemm(true, false, w, w, batch, x, w, x, w, 0, out[:w*w], w) }
			case dense.ClassNN:
				return func() { g.Gemm(false, false, batch, w, w, x, w, wt, w, 0, out, w) }
			}
			return func() { g.Gemm(false, true, batch, w, w, x, w, wt, w, 0, out, w) }
		}
	}
}

// randomCatTable returns a threshold-major table of 2^(2d) rows of 2^d
// sorted thresholds (the last of each row, 2^32 − 1, left out).
func randomCatTable(rng *rand.Rand, d int) []uint32 { return randomCatRows(rng, 1<<(2*d), d) }

// randomCatRows returns a threshold-major table of R rows of 2^d sorted
// thresholds.
func randomCatRows(rng *rand.Rand, R, d int) []uint32 {
	S := 1 << d
	rows := make([]uint32, R*S)
	for r := 0; r < R; r++ {
		row := rows[r*S : (r+1)*S]
		for j := range row {
			row[j] = rng.Uint32()
		}
		for i := 1; i < S-1; i++ {
			for j := i; j > 0 && row[j] < row[j-1]; j-- {
				row[j], row[j-1] = row[j-1], row[j]
			}
		}
		row[S-1] = ^uint32(0)
	}
	return thresholdMajor(rows, R, S)
}

// thresholdMajor lays out row-major rows (S entries each, the last one
// padding) as a threshold-major table: entry j·R + r is row[r][j].
func thresholdMajor(rows []uint32, R, S int) []uint32 {
	tab := make([]uint32, R*(S-1))
	for r := 0; r < R; r++ {
		for j := 0; j < S-1; j++ {
			tab[j*R+r] = rows[r*S+j]
		}
	}
	return tab
}
