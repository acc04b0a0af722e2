// Package buildinfo says which rgflow is running: the module version and
// the commit it was built from, as the Go toolchain stamped them into the
// binary. Results record them (docs/formats.md).
package buildinfo

import (
	"runtime/debug"
	"strings"
)

// commit is set by the Makefile's build (-ldflags -X) for builds without
// the toolchain's version control stamp (GOFLAGS=-buildvcs=false, or a
// tree go does not recognise): "REVISION" or "REVISION+modified".
var commit string

// Info identifies a build.
type Info struct {
	// Version is the module version: "(devel)" for a build from a
	// working tree, a tag for `go install rgflow@vX`.
	Version string
	// Commit is the full revision of the working tree ("" if the build
	// had no version control information), Modified whether the tree had
	// uncommitted changes.
	Commit   string
	Modified bool
}

// Read reads the running binary's build information.
func Read() Info {
	in := Info{Version: "(devel)"}
	if rev, mod := strings.CutSuffix(commit, "+modified"); rev != "" {
		in.Commit, in.Modified = rev, mod
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return in
	}
	if v := bi.Main.Version; v != "" {
		in.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// CommitString is the commit for a result file: the revision, with
// "+modified" when the working tree had uncommitted changes; "unknown"
// without version control information.
func (in Info) CommitString() string {
	if in.Commit == "" {
		return "unknown"
	}
	if in.Modified {
		return in.Commit + "+modified"
	}
	return in.Commit
}
