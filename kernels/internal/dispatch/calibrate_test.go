package dispatch

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Decide keeps the default unless a candidate wins clearly: by the
// margin in the median and in enough of the trials.
func TestDecide(t *testing.T) {
	r := Rule{Trials: 5, MinWins: 4, Margin: 0.10}
	def := []float64{10, 10, 10, 10, 10}
	for _, tc := range []struct {
		name string
		cand []float64
		want int
	}{
		{"20 % faster in every trial", []float64{8, 8, 8, 8, 8}, 1},
		{"faster in 4 of 5 trials, 15 % in the median", []float64{8.5, 8.5, 8.5, 8.5, 30}, 1},
		{"5 % faster: within the margin", []float64{9.5, 9.5, 9.5, 9.5, 9.5}, 0},
		{"one fast sample", []float64{1, 10.5, 10.5, 10.5, 10.5}, 0},
		{"faster in the median, in 3 trials only", []float64{5, 5, 5, 11, 11}, 0},
		{"slower", []float64{12, 12, 12, 12, 12}, 0},
		{"a zero sample (a broken clock)", []float64{0, 5, 5, 5, 5}, 0},
		{"NaN", []float64{math.NaN(), 5, 5, 5, 5}, 0},
		{"fewer samples", []float64{5, 5, 5, 5}, 0},
	} {
		if got := Decide([][]float64{def, tc.cand}, 0, r); got != tc.want {
			t.Errorf("%s: Decide = %d, want %d", tc.name, got, tc.want)
		}
	}
	// two clear winners: the faster median; the default need not be first
	three := [][]float64{{8, 8, 8, 8, 8}, def, {6, 6, 6, 6, 6}}
	if got := Decide(three, 1, r); got != 2 {
		t.Errorf("two winners: %d, want 2", got)
	}
	if got := Decide([][]float64{{math.Inf(1), 1, 1, 1, 1}, {1, 1, 1, 1, 1}}, 0, r); got != 0 {
		t.Errorf("an invalid default: %d, want it kept (0)", got)
	}
}

// Measure times every candidate in every trial, in thread CPU time where
// there is one (a candidate's sleep costs none of it), and reports
// per-call times.
func TestMeasure(t *testing.T) {
	spin := func(d time.Duration) func() {
		return func() {
			for s := threadTime(); threadTime()-s < d; {
			}
		}
	}
	r := Rule{Trials: 3, MinWins: 2, Margin: 0.1, Sample: 2 * time.Millisecond}
	cands := []Candidate{{"slow", spin(200 * time.Microsecond)}, {"fast", spin(50 * time.Microsecond)}}
	if Clock == "thread CPU time" {
		busy := spin(50 * time.Microsecond)
		cands = append(cands, Candidate{"sleeper", func() { busy(); time.Sleep(time.Millisecond) }})
	}
	secs, took := Measure(cands, r)
	if len(secs) != len(cands) {
		t.Fatalf("%d rows for %d candidates", len(secs), len(cands))
	}
	for i, s := range secs {
		if len(s) != r.Trials {
			t.Fatalf("%s: %d samples, want %d", cands[i].Path, len(s), r.Trials)
		}
	}
	if m := Median(secs[0]); m < 190e-6 || m > 400e-6 {
		t.Errorf("slow: %.3g s a call, want about 200 µs", m)
	}
	if m := Median(secs[1]); m < 45e-6 || m > 100e-6 {
		t.Errorf("fast: %.3g s a call, want about 50 µs", m)
	}
	if len(cands) == 3 {
		if m := Median(secs[2]); m > 200e-6 {
			t.Errorf("a candidate that works 50 µs and sleeps 1 ms took %.3g s of thread CPU time a call", m)
		}
	}
	if Decide(secs[:2], 0, r) != 1 {
		t.Error("the 4× faster candidate did not win")
	}
	if took < time.Duration(r.Trials)*r.Sample {
		t.Errorf("Measure took %v, less than its samples", took)
	}
}

// The cache holds a calibration for its key only, and survives a round
// trip.
func TestCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	path, err := CachePath()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && filepath.Dir(filepath.Dir(path)) != filepath.Clean(getenv("XDG_CACHE_HOME")) {
		t.Errorf("cache file %s is not under $XDG_CACHE_HOME/rgflow", path)
	}
	if _, ok := LoadCache(path, "k"); ok {
		t.Fatal("a cache before any was written")
	}
	c := &Calibration{Key: "k", Clock: Clock, Seconds: 0.01, Kernels: []KernelCalibration{
		{Kernel: "catPair", Paths: []string{"avx2", "generic"}, Median: []float64{1e-6, 2e-6}, Default: "avx2", Chosen: "avx2"}}}
	if err := StoreCache(path, c); err != nil {
		t.Fatal(err)
	}
	got, ok := LoadCache(path, "k")
	if !ok {
		t.Fatal("the cache was not read back")
	}
	if e, ok := got.Find("catPair", []string{"avx2", "generic"}); !ok || e.Chosen != "avx2" || e.Median[1] != 2e-6 {
		t.Errorf("Find = %+v, %v", e, ok)
	}
	if _, ok := got.Find("catPair", []string{"avx512", "avx2", "generic"}); ok {
		t.Error("an entry for other candidates was used")
	}
	if _, ok := LoadCache(path, "another build"); ok {
		t.Error("a calibration was used for another key")
	}
	if _, ok := (*Calibration)(nil).Find("catPair", nil); ok {
		t.Error("a nil calibration found an entry")
	}
}

// The key names the build: the Go build ID of an ELF test binary.
func TestCacheKey(t *testing.T) {
	key := CacheKey()
	if key == "" {
		t.Skip("this build cannot be identified: nothing is cached")
	}
	if runtime.GOOS == "linux" && len(buildID()) < 20 {
		t.Errorf("build ID %q", buildID())
	}
	t.Logf("key: %s", key)
}

func getenv(k string) string { return os.Getenv(k) }
