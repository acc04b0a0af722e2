package dispatch

import (
	"math"
	"runtime"
	"slices"
	"time"
)

// Candidate is one implementation of a kernel under calibration: Run
// makes one call on the kernel's calibration workload.
type Candidate struct {
	Path string
	Run  func()
}

// Rule is when a candidate replaces the default implementation: its
// median time per call is at most (1 − Margin) times the default's, and it
// was faster than the default in at least MinWins of the trials (each
// trial times every candidate once, side by side), so that one noisy
// sample never decides.
type Rule struct {
	Trials  int
	MinWins int
	Margin  float64
	// Sample is the time one sample of a candidate lasts (enough calls
	// to fill it); Trials · Sample · candidates is the calibration's cost.
	Sample time.Duration
}

// DefaultRule is the rule of the start-up calibration: 5 trials of 100 µs
// samples per candidate, a clear win being 10 % faster in the median and
// faster in 4 of the 5 trials.
var DefaultRule = Rule{Trials: 5, MinWins: 4, Margin: 0.10, Sample: 100 * time.Microsecond}

// Measure times the candidates: two warm-up calls each (the second sets
// how many calls fill a sample), then r.Trials trials, each timing every
// candidate once in a rotating order. It returns the seconds per call of
// every candidate's samples ([candidate][trial]) and the thread CPU time
// it took. The goroutine is locked to its thread meanwhile, so that the
// thread's CPU clock is this work's.
func Measure(cands []Candidate, r Rule) (secs [][]float64, took time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := threadTime()
	reps := make([]int, len(cands))
	for i, c := range cands {
		c.Run()
		s := threadTime()
		c.Run()
		one := threadTime() - s
		reps[i] = 1
		if one > 0 {
			reps[i] = int(min(1e5, max(1, float64(r.Sample)/float64(one))))
		}
	}
	secs = make([][]float64, len(cands))
	for t := range r.Trials {
		for j := range cands {
			i := (j + t) % len(cands)
			s := threadTime()
			for range reps[i] {
				cands[i].Run()
			}
			secs[i] = append(secs[i], (threadTime()-s).Seconds()/float64(reps[i]))
		}
	}
	return secs, threadTime() - t0
}

// Decide returns which candidate to use, given the samples Measure took
// and the index of the default one: the default, unless some candidates
// win clearly by r (Rule); then the one of those with the smallest median.
// Missing, zero or non-finite samples never win.
func Decide(secs [][]float64, def int, r Rule) int {
	if def < 0 || def >= len(secs) || !valid(secs[def]) {
		return def
	}
	md := Median(secs[def])
	best, bestMed := def, md
	for i, s := range secs {
		if i == def || !valid(s) || len(s) != len(secs[def]) {
			continue
		}
		wins := 0
		for t, x := range s {
			if x < secs[def][t] {
				wins++
			}
		}
		m := Median(s)
		if wins >= r.MinWins && m <= (1-r.Margin)*md && m < bestMed {
			best, bestMed = i, m
		}
	}
	return best
}

func valid(s []float64) bool {
	if len(s) == 0 {
		return false
	}
	for _, x := range s {
		if !(x > 0) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// Median is the median of xs (the mean of the middle two for an even
// count; NaN for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
