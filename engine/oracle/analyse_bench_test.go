//go:build unix

package oracle

import (
	"math"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAnalyse is rgflow oracle's whole analysis (the reference axis
// map, the fixed-point searches, the physical-axis bisection) for the
// representations of d = 5 and 6: A1+2E in both coarse mirrors (the
// target is under 5 minutes of wall time on 2 cores) and 2A1+2E (under
// 30). One analysis is minutes, so run it once:
//
//	go test -run '^$' -bench 'Analyse/A1\+2E' -benchtime 1x ./engine/oracle
//
// It reports the CPU seconds beside the wall time (the machines are
// shared), the second-order evaluations, and the results, so that a
// faster analysis is seen to give the same answer.
func BenchmarkAnalyse(b *testing.B) {
	for _, name := range []string{"A1+2E", "2A1+2E"} {
		for _, mirror := range []string{"axis", "diagonal"} {
			b.Run(name+"/"+mirror, func(b *testing.B) {
				bl := blocks(b, name, mirror)
				var an Analysis
				evals := 0
				c0, t0 := processCPUSeconds(), time.Now()
				for b.Loop() {
					o := New(bl)
					var err error
					if an, err = o.Analyse(Options{AxisTol: 1e-5}); err != nil {
						b.Fatal(err)
					}
					evals += o.Evals
				}
				n := float64(b.N)
				b.ReportMetric((processCPUSeconds()-c0)/n, "cpu-s/op")
				b.ReportMetric(time.Since(t0).Seconds()/n, "wall-s/op")
				b.ReportMetric(float64(evals)/n, "evals/op")
				b.ReportMetric(float64(an.AxisJc), "axis-jc")
				lambda := math.NaN()
				if k := an.AxisFixedPoint; k >= 0 && k < len(an.FixedPoints) {
					lambda = float64(an.FixedPoints[k].Lambda)
				}
				b.ReportMetric(lambda, "lambda")
			})
		}
	}
}

// processCPUSeconds is the CPU time of the process so far, user and
// system.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + 1e-6*float64(ru.Utime.Usec+ru.Stime.Usec)
}
