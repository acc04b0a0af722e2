package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/humanize"
)

// plainInterval is how often the progress display prints a line when
// stderr is not a terminal.
const plainInterval = 5 * time.Second

// stderrIsTerminal reports whether stderr is a terminal that can redraw a
// line (not a file, a pipe, or TERM=dumb).
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// epochColumns describes an epoch's numbers as the README explains them:
// the loss (the mean divergence over the trajectories), HMC's β and
// acceptance rate, and the J_0 of the epoch's Newton root ("—" where none
// is recorded: the first half, or Newton failed).
func epochColumns(st engine.EpochStat) string {
	root := "—"
	if !math.IsNaN(st.Root) {
		root = fmt.Sprintf("%.4f", st.Root)
	}
	return fmt.Sprintf("loss %.3e, β %.2f, acceptance %.2f, root %s", st.Loss, st.Beta, st.Accept, root)
}

// progressReporter shows the training's progress on stderr: a bar that
// redraws itself on a terminal, else a plain line every plainInterval.
// done ends it; later calls of the reporter (an epoch finishing after an
// interruption was given up on) print nothing.
func progressReporter(quiet bool, tr *engine.Trainer) (func(engine.EpochStat), func()) {
	if quiet {
		return nil, func() {}
	}
	var mu sync.Mutex
	stopped := false
	total, first := tr.Cfg.Epochs, tr.Epoch
	if !stderrIsTerminal() {
		return plainReporter(os.Stderr, total, first, &mu, &stopped)
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	_ = bar.Set(first)
	last := time.Now()
	return func(st engine.EpochStat) {
			mu.Lock()
			defer mu.Unlock()
			if stopped {
				return
			}
			if time.Since(last) > 200*time.Millisecond || st.Epoch == total {
				last = time.Now()
				bar.Describe(epochColumns(st))
			}
			_ = bar.Set(st.Epoch)
		}, func() {
			mu.Lock()
			defer mu.Unlock()
			stopped = true
			_ = bar.Finish()
		}
}

// plainReporter prints "rgflow: epoch 1200/3000 (40%): loss …, β …,
// acceptance …, root …; 2.1 ms/epoch, about 4 s left" after the first
// epoch and then every plainInterval.
func plainReporter(w io.Writer, total, first int, mu *sync.Mutex, stopped *bool) (func(engine.EpochStat), func()) {
	begin := time.Now()
	var last time.Time
	return func(st engine.EpochStat) {
			mu.Lock()
			defer mu.Unlock()
			if *stopped || !last.IsZero() && time.Since(last) < plainInterval {
				return
			}
			last = time.Now()
			done := st.Epoch - first
			per := time.Since(begin).Seconds() / float64(max(done, 1))
			fmt.Fprintf(w, "rgflow: epoch %d/%d (%.0f%%): %s; %s/epoch, about %s left\n", st.Epoch, total, 100*float64(st.Epoch)/float64(total),
				epochColumns(st), humanize.Duration(per), humanize.Duration(per*float64(total-st.Epoch)))
		}, func() {
			mu.Lock()
			defer mu.Unlock()
			*stopped = true
		}
}
