package bench

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rgflow/rgflow/internal/humanize"

	"github.com/schollz/progressbar/v3"
)

// tracker draws the overall progress bar (weighted by each run's
// estimated cost, so that the time remaining is meaningful when runs
// differ a lot in cost) with the progress of every active run in its
// description, and prints a line for each finished run above it. Workers
// only update counters; one goroutine draws.
type tracker struct {
	w     io.Writer
	on    bool                     // there is a writer and something to run
	bar   *progressbar.ProgressBar // nil when w is not a terminal: plain lines instead
	scale float64                  // bar steps per cost unit
	begin time.Time
	last  time.Time // of the last plain status line

	mu        sync.Mutex
	total     int
	finishedN int
	done      float64            // cost units of finished runs
	active    map[string]*active // by key
	order     []string           // active keys in start order
	lines     []string           // finished-run lines not yet printed

	stopc chan struct{}
	wg    sync.WaitGroup
}

type active struct {
	label  string
	seed   uint64
	epoch  int
	epochs int     // epochs this run steps through
	units  float64 // its weight
}

const barSteps = 100000

func newTracker(w io.Writer, todo []runSpec) *tracker {
	t := &tracker{w: w, total: len(todo), active: map[string]*active{}, stopc: make(chan struct{}), begin: time.Now()}
	if w == nil || len(todo) == 0 {
		return t
	}
	t.on = true
	units := 0.0
	for i := range todo {
		units += todo[i].units()
	}
	t.scale = barSteps / math.Max(units, 1e-300)
	if !isTerminal(w) {
		t.wg.Add(1)
		go t.draw()
		return t
	}
	t.bar = progressbar.NewOptions64(barSteps,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(fmt.Sprintf("0/%d runs", len(todo))),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetWidth(25),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
	)
	t.wg.Add(1)
	go t.draw()
	return t
}

func (t *tracker) draw() {
	defer t.wg.Done()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-t.stopc:
			t.render()
			return
		case <-tick.C:
			t.render()
		}
	}
}

func (t *tracker) render() {
	t.mu.Lock()
	lines := t.lines
	t.lines = nil
	units := t.done
	var parts []string
	for _, k := range t.order {
		a := t.active[k]
		units += a.units * float64(a.epoch) / float64(max(a.epochs, 1))
		parts = append(parts, fmt.Sprintf("%s s%d %d%%", a.label, a.seed, 100*a.epoch/max(a.epochs, 1)))
	}
	desc := fmt.Sprintf("%d/%d runs", t.finishedN, t.total)
	if len(parts) > 0 {
		desc += " · " + strings.Join(parts, " · ")
	}
	t.mu.Unlock()
	if t.bar == nil { // not a terminal: the finished runs, and a status line every plainEvery
		for _, l := range lines {
			fmt.Fprintln(t.w, l)
		}
		if time.Since(t.last) >= plainEvery {
			t.last = time.Now()
			frac := math.Min(units*t.scale/barSteps, 1)
			left := "—"
			if frac > 0 {
				left = fmt.Sprintf("about %s left", (time.Duration(float64(time.Since(t.begin)) * (1 - frac) / frac)).Round(time.Second))
			}
			fmt.Fprintf(t.w, "rgflow bench: %s; %.0f%% of the work in %s, %s\n", desc, 100*frac, time.Since(t.begin).Round(time.Second), left)
		}
		return
	}
	if len(lines) > 0 {
		_ = t.bar.Clear()
		for _, l := range lines {
			fmt.Fprintln(t.w, l)
		}
	}
	if r := []rune(desc); len(r) > 90 {
		desc = string(r[:89]) + "…"
	}
	t.bar.Describe(desc)
	_ = t.bar.Set64(min(int64(units*t.scale), barSteps))
}

func (t *tracker) start(s *runSpec) {
	if !t.on {
		return
	}
	epochs := s.Cfg.Epochs
	if s.timing != nil {
		epochs = s.timing.Warmup + s.timing.Epochs*s.timing.Repeats
	}
	t.mu.Lock()
	t.active[s.Key] = &active{label: s.Label + paramSuffix(s), seed: s.Cfg.Seed, epochs: epochs, units: s.units()}
	t.order = append(t.order, s.Key)
	t.mu.Unlock()
}

func paramSuffix(s *runSpec) string {
	if s.Param == "" {
		return ""
	}
	return fmt.Sprintf(" %s=%g", s.Param, s.Value)
}

func (t *tracker) epoch(s *runSpec, n int) {
	if !t.on {
		return
	}
	t.mu.Lock()
	if a := t.active[s.Key]; a != nil {
		a.epoch = n
	}
	t.mu.Unlock()
}

func (t *tracker) stop(s *runSpec) {
	if !t.on {
		return
	}
	t.mu.Lock()
	delete(t.active, s.Key)
	for i, k := range t.order {
		if k == s.Key {
			t.order = append(t.order[:i], t.order[i+1:]...)
			break
		}
	}
	t.mu.Unlock()
}

// finished counts a recorded run and queues its line.
func (t *tracker) finished(s *runSpec, r Record) {
	if !t.on {
		return
	}
	t.mu.Lock()
	t.finishedN++
	t.done += s.units()
	t.lines = append(t.lines, resultLine(r))
	t.mu.Unlock()
}

// resultLine is the one-line account of a finished run.
func resultLine(r Record) string {
	head := r.Label
	if r.Param != "" {
		head += fmt.Sprintf(" %s=%g", r.Param, r.Value)
	}
	head += fmt.Sprintf(" seed %d", r.Seed)
	switch {
	case r.Error != "":
		return fmt.Sprintf("%s: FAILED: %s", head, r.Error)
	case r.Timing != nil:
		return fmt.Sprintf("%s: %s/epoch (median of %d repeats)", head, humanize.Duration(r.Timing.Median), len(r.Timing.PerRepeat))
	case r.Summary != nil:
		s := r.Summary
		// for c > 1 the estimate is the physical-axis coupling, the roots'
		// J_0 a secondary number (docs/conventions.md §11)
		roots := fmt.Sprintf("%.5f (IQR %.5f–%.5f)", float64(s.JcMedian), float64(s.JcQ1), float64(s.JcQ3))
		line := fmt.Sprintf("%s: J_c = %s", head, roots)
		if s.C > 1 {
			line = fmt.Sprintf("%s: physical-axis J_c = %.5f, root J_0 = %s", head, float64(s.AxisJc), roots)
		}
		if len(s.Verdict) > 0 {
			line += " — not to be trusted"
		}
		return line + fmt.Sprintf(", %s/epoch, %s", humanize.Duration(s.SecondsPerEpoch), humanize.Duration(r.Seconds))
	}
	return head
}

func (t *tracker) finish() {
	if !t.on {
		return
	}
	close(t.stopc)
	t.wg.Wait()
	if t.bar != nil {
		_ = t.bar.Finish()
		fmt.Fprintln(t.w)
	}
}

// plainEvery is how often the progress prints a status line when its
// writer is not a terminal.
const plainEvery = 5 * time.Second

// isTerminal reports whether w is a terminal that can redraw a line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}
