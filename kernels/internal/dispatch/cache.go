package dispatch

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/rgflow/rgflow/internal/atomicfile"
)

// Calibration is what a calibration found, as the cache holds it.
type Calibration struct {
	Key     string              `json:"key"`     // CacheKey: what it is valid for
	Clock   string              `json:"clock"`   // what was measured (Clock)
	Seconds float64             `json:"seconds"` // the time the measurement took, on that clock
	Kernels []KernelCalibration `json:"kernels"`
}

// KernelCalibration is one kernel's result: the candidates (paths), their
// median seconds per call on the calibration workload, the default and
// the choice.
type KernelCalibration struct {
	Kernel  string    `json:"kernel"`
	Paths   []string  `json:"paths"`
	Median  []float64 `json:"median_s"`
	Default string    `json:"default"`
	Chosen  string    `json:"chosen"`
}

// CacheKey is what a calibration is valid for: the CPU model (vendor,
// family, model, stepping), the features the paths use, the platform and
// the program's build, so that another CPU model or a rebuilt binary
// calibrates again. It is "" when the build cannot be identified (then
// nothing is cached).
func CacheKey() string {
	id := buildID()
	if id == "" {
		return ""
	}
	return machineKey() + "; build " + id
}

func machineKey() string {
	return fmt.Sprintf("%s; %s; %s/%s", CPU.ID(), CPU.String(), runtime.GOOS, runtime.GOARCH)
}

// CachePath is the file that holds the calibration of this CPU model: in
// the user's cache directory (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache
// on Linux), rgflow/kernels-<hash of the CPU model and platform>.json. One
// file a CPU model: another build's calibration replaces it.
func CachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(machineKey()))
	return filepath.Join(dir, "rgflow", "kernels-"+hex.EncodeToString(h[:8])+".json"), nil
}

// LoadCache reads the calibration cached at path for key; false if there
// is none, it cannot be read, or it is for another key.
func LoadCache(path, key string) (*Calibration, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var c Calibration
	if json.Unmarshal(data, &c) != nil || c.Key != key {
		return nil, false
	}
	return &c, true
}

// StoreCache writes c to path atomically, making its directory.
func StoreCache(path string, c *Calibration) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'))
}

// Find returns the kernel's entry with exactly these candidate paths (none
// in a nil Calibration).
func (c *Calibration) Find(kernel string, paths []string) (KernelCalibration, bool) {
	if c == nil {
		return KernelCalibration{}, false
	}
	for _, k := range c.Kernels {
		if k.Kernel == kernel && strings.Join(k.Paths, ",") == strings.Join(paths, ",") && len(k.Median) == len(paths) {
			return k, true
		}
	}
	return KernelCalibration{}, false
}

// buildID identifies the running program's build: the Go build ID of its
// ELF executable (a hash of its inputs, which every rebuild with other
// sources changes), else a hash of the executable's bytes; "" if neither
// can be read.
var buildID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if id := elfBuildID(exe); id != "" {
		return id
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)[:16])
})

// elfBuildID reads the Go build ID note (.note.go.buildid: name "Go",
// type 4) of an ELF file.
func elfBuildID(path string) string {
	f, err := elf.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	data, err := s.Data()
	if err != nil || len(data) < 16 {
		return ""
	}
	bo := f.ByteOrder
	nameSize, descSize, typ := bo.Uint32(data), bo.Uint32(data[4:]), bo.Uint32(data[8:])
	off := 12 + (int(nameSize)+3)&^3
	if typ != 4 || string(data[12:12+min(int(nameSize), 2)]) != "Go" || off+int(descSize) > len(data) {
		return ""
	}
	return string(data[off : off+int(descSize)])
}
