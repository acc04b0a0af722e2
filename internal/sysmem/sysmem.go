// Package sysmem says how much memory a process may still use on this
// machine, for the engine's check that a configuration fits before it
// allocates anything.
package sysmem

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Available is the memory this process can still allocate, in bytes, and
// where the figure comes from: the smaller of the kernel's MemAvailable
// (/proc/meminfo) and the room left under the process's cgroup limit
// (cgroup v2 memory.max − memory.current, or v1's limit − usage). ok is
// false where none of them can be read (not Linux); callers then skip
// their check.
func Available() (bytes uint64, source string, ok bool) {
	if v, found := memAvailable("/proc/meminfo"); found {
		bytes, source, ok = v, "MemAvailable in /proc/meminfo", true
	}
	for _, cg := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		limit, lok := readUint(cg[0])
		used, uok := readUint(cg[1])
		if !lok || !uok || limit >= 1<<60 || used > limit {
			continue
		}
		if room := limit - used; !ok || room < bytes {
			bytes, source, ok = room, "the cgroup limit "+cg[0], true
		}
	}
	return bytes, source, ok
}

// memAvailable reads the MemAvailable line of a meminfo file.
func memAvailable(path string) (uint64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0, false
			}
			return kb * 1024, true
		}
	}
	return 0, false
}

// readUint reads a file holding one number ("max" is not one).
func readUint(path string) (uint64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return v, err == nil
}
