// Package filelock keeps two rgflow processes from working on one
// checkpoint or one results directory at once: an advisory lock (flock)
// on a lock file beside the checkpoint (inside the directory), which
// records its holder, so that the second process is refused with a
// sentence naming the first (its pid, host, command and start). The
// kernel releases the lock when its holder ends, however it ends, so a
// lock file a killed process left behind holds nothing.
package filelock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rgflow/rgflow/internal/quote"
)

// Holder is who holds a lock, as its lock file records it.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Since   time.Time `json:"since"`
	Command string    `json:"command"`
}

func (h Holder) String() string {
	return fmt.Sprintf("pid %d on %s, %s, since %s", h.PID, h.Host, quote.Short(h.Command), h.Since.Local().Format("2006-01-02 15:04:05 MST"))
}

// HeldError is a lock another process holds: What names the locked thing
// ("the checkpoint run.ckpt"), Holder who holds it (nil if its lock file
// does not say yet).
type HeldError struct {
	What   string
	Holder *Holder
}

func (e *HeldError) Error() string {
	who := "another rgflow process (just starting)"
	if e.Holder != nil {
		who = "another rgflow: " + e.Holder.String()
	}
	return fmt.Sprintf("%s is in use by %s; wait for it to end or stop it", e.What, who)
}

// Lock is a lock this process holds.
type Lock struct {
	path string
	f    *os.File
	n    int // Acquires of it in this process not yet released
}

var (
	mu   sync.Mutex
	held = map[string]*Lock{} // by the lock file's absolute path
)

// Acquire takes the lock whose lock file is path (created if need be),
// what naming the locked thing in messages. It fails at once with a
// *HeldError while another process holds it; a second Acquire of a lock
// this process holds succeeds (each is Released). Where the lock file
// cannot be created because its directory may not be written, or the file
// system has no locks, nobody else can take the lock through it either,
// and Acquire returns a Lock that holds nothing.
func Acquire(path, what string) (*Lock, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	mu.Lock()
	defer mu.Unlock()
	if l := held[abs]; l != nil {
		l.n++
		return l, nil
	}
	for range 8 {
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o644)
		if errors.Is(err, os.ErrPermission) || isReadOnly(err) {
			return &Lock{n: 1}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot lock %s: %v", what, err)
		}
		switch err := lock(f); {
		case errors.Is(err, errHeld):
			h := readHolder(f)
			f.Close()
			return nil, &HeldError{What: what, Holder: h}
		case errors.Is(err, errNoLocks):
			f.Close()
			return &Lock{n: 1}, nil
		case err != nil:
			f.Close()
			return nil, fmt.Errorf("cannot lock %s: %v", what, err)
		}
		// the last holder may have removed the file between our open and
		// our lock: then the lock is on a file nobody else will open
		fi, ferr := f.Stat()
		pi, perr := os.Stat(abs)
		if ferr != nil || perr != nil || !os.SameFile(fi, pi) {
			f.Close()
			continue
		}
		host, _ := os.Hostname()
		data, _ := json.Marshal(Holder{PID: os.Getpid(), Host: host, Since: time.Now().UTC(), Command: strings.Join(os.Args, " ")})
		if err := f.Truncate(0); err == nil {
			f.WriteAt(append(data, '\n'), 0)
			f.Sync()
		}
		l := &Lock{path: abs, f: f, n: 1}
		held[abs] = l
		return l, nil
	}
	return nil, fmt.Errorf("cannot lock %s: its lock file %s keeps being replaced", what, path)
}

// Release gives the lock up once every Acquire of it in this process has
// been released, removing its lock file.
func (l *Lock) Release() {
	if l == nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if l.n--; l.n > 0 || l.f == nil {
		return
	}
	delete(held, l.path)
	// while still locked nobody can have taken it; but only if it is still
	// our file (an output written over its name must stay)
	if fi, err := l.f.Stat(); err == nil {
		if pi, err := os.Stat(l.path); err == nil && os.SameFile(fi, pi) {
			os.Remove(l.path)
		}
	}
	l.f.Close()
}

// readHolder reads a held lock file's record (nil if it has none yet).
func readHolder(f *os.File) *Holder {
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	var h Holder
	if json.Unmarshal(buf[:n], &h) != nil || h.PID == 0 {
		return nil
	}
	return &h
}
