package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rgflow/rgflow/engine"
	"github.com/rgflow/rgflow/internal/inputfile"
)

// Record is one finished run: one line of runs.jsonl.
type Record struct {
	Suite string `json:"suite"`
	// Key identifies the run: suite/configuration/seed, where the
	// configuration part is a readable label and a hash of the run's whole
	// engine configuration (and, for epoch-time, of the timing protocol).
	Key   string `json:"key"`
	Label string `json:"label"`
	Rep   string `json:"rep"`
	Loss  string `json:"loss"`
	Model string `json:"model"`
	// CoarseMirror is the run's coarse_mirror ("axis" or "diagonal").
	CoarseMirror string `json:"coarse_mirror,omitempty"`
	// Param and Value: the swept hyperparameter and its value (sweeps).
	Param        string  `json:"param,omitempty"`
	Value        float64 `json:"value"`
	Seed         uint64  `json:"seed"`
	Trajectories int     `json:"trajectories"`
	Epochs       int     `json:"epochs"`
	Kernels      string  `json:"kernels"`
	// KernelChoice is the path of each kernel (kernels.Path.ChoiceMap;
	// absent where the run failed before it had one).
	KernelChoice map[string]string `json:"kernel_choice,omitempty"`
	// Error is why the run produced no result (a loss or model that is not
	// available, a diverged training, a kernel path this CPU lacks).
	Error   string          `json:"error,omitempty"`
	Summary *engine.Summary `json:"summary,omitempty"` // training suites (without the flow curve)
	Timing  *Timing         `json:"timing,omitempty"`  // epoch-time
	Seconds float64         `json:"seconds"`           // wall time of the run
	Done    time.Time       `json:"done"`
	Config  engine.Config   `json:"config"` // exactly what the run was given
}

// Timing is an epoch-time measurement: seconds per epoch of each repeat
// (warm-up excluded) and their median and spread.
type Timing struct {
	Warmup    int       `json:"warmup"`
	Epochs    int       `json:"epochs_per_repeat"`
	PerRepeat []float64 `json:"per_repeat"`
	Median    float64   `json:"median"`
	Q1        float64   `json:"q1"`
	Q3        float64   `json:"q3"`
	Min       float64   `json:"min"`
	Max       float64   `json:"max"`
	// FMAPeak is the machine's measured double-precision fused
	// multiply-adds per second (kernels.FMAPeak on the fastest path, one
	// goroutine per CPU), taken once per invocation of the suite.
	FMAPeak float64 `json:"fma_peak_per_s,omitempty"`
}

// journal appends records to runs.jsonl, one line each, synced to disk
// before append returns, so an interrupted suite keeps every finished run.
// An append is all or nothing: a write that fails part-way (a full disk)
// is cut back to the journal's size before it, so no torn record stays.
type journal struct {
	mu   sync.Mutex
	f    journalFile
	path string
	// onAppend, if set, sees each record once it is on disk (an array
	// task's log line per finished run).
	onAppend func(Record)
}

// journalFile is what a journal needs of its file (an *os.File; tests put
// a failing one in its place, as a full disk would be).
type journalFile interface {
	Write([]byte) (int, error)
	Sync() error
	Truncate(size int64) error
	Stat() (os.FileInfo, error)
	Close() error
}

// openJournal opens (creating) the journal at path and reads the records
// already in it: the last record of each key. A torn last line (a crash in
// the middle of a write, or a journal an older rgflow left on a full disk)
// is cut off with a warning: its run is redone.
func openJournal(path string) (*journal, map[string]Record, []string, error) {
	data, err := inputfile.Read(path, inputfile.MemoryLimit())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, fmt.Errorf("cannot read %v", err)
	}
	whole := data[:bytes.LastIndexByte(data, '\n')+1]
	done, warnings := parseJournal(path, whole)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("cannot open %s: %v", path, err)
	}
	if len(whole) < len(data) {
		if err := f.Truncate(int64(len(whole))); err != nil {
			f.Close()
			return nil, nil, nil, fmt.Errorf("cannot cut the torn last line of %s: %v", path, err)
		}
		warnings = append(warnings, fmt.Sprintf("%s ended in a torn line (%d bytes of a record whose write was cut short); removed, and its run will be redone", path, len(data)-len(whole)))
	}
	return &journal{f: f, path: path}, done, warnings, nil
}

// parseJournal reads the records of a journal's contents: the last record
// of each key, and a warning for each line that is not a complete record
// (a torn last line, without its newline, is named as such).
func parseJournal(path string, data []byte) (map[string]Record, []string) {
	done := map[string]Record{}
	var warnings []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line, lines := 0, bytes.Count(data, []byte{'\n'})
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil || r.Key == "" {
			if line > lines {
				warnings = append(warnings, fmt.Sprintf("%s ends in a torn line (a write cut short); ignored (its run will be redone)", path))
				continue
			}
			warnings = append(warnings, fmt.Sprintf("%s line %d is not a complete record; ignored (its run will be redone)", path, line))
			continue
		}
		done[r.Key] = r
	}
	return done, warnings
}

// append writes the record as one line and syncs it; if the write or the
// sync fails, the journal is cut back to its size before the record.
func (j *journal) append(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("cannot encode the record of %s: %v", r.Key, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	fi, err := j.f.Stat()
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", j.path, err)
	}
	before := fi.Size()
	_, err = j.f.Write(append(b, '\n'))
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		if terr := j.f.Truncate(before); terr != nil {
			return fmt.Errorf("cannot write %s: %v, and cutting off the part written failed too (%v): the next run of the suite drops the torn line", j.path, err, terr)
		}
		j.f.Sync()
		return fmt.Errorf("cannot write %s: %v (the journal is as it was before this run; free space and resume the suite)", j.path, err)
	}
	if j.onAppend != nil {
		j.onAppend(r)
	}
	return nil
}

func (j *journal) close() error { return j.f.Close() }
