package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"rgflow/internal/atomicfile"
)

// jsonFlagHelp is the help of every command's -json flag: a file path, or
// "-" for standard output.
const jsonFlagHelp = `write the result as JSON to this file ("-": standard output)`

// legacyJSON rewrites a bare -json (the old switch of eval and oracle,
// followed by nothing or by another flag) into -json=- and says so once:
// -json now takes a file name in every command, "-" meaning standard
// output. The old form keeps working for this release.
func legacyJSON(cmd string, args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		if a != "-json" && a != "--json" {
			continue
		}
		if i+1 == len(out) || strings.HasPrefix(out[i+1], "-") && out[i+1] != "-" {
			out[i] = "-json=-"
			fmt.Fprintf(os.Stderr, "rgflow %s: note: a bare -json is deprecated; write -json - for standard output or -json FILE\n", cmd)
		}
	}
	return out
}

// writeJSON writes v as indented JSON to path ("-": standard output),
// atomically when it is a file.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err := os.Stdout.Write(data)
		return err
	}
	return atomicfile.Write(path, data)
}

// checkWritable fails, before any work starts, when path ("-" aside) could
// not be written: its directory is missing or not writable, or path is a
// directory.
func checkWritable(flagName, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("-%s %s is a directory, not a file", flagName, path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("-%s %s cannot be written: directory %s does not exist", flagName, path, dir)
	}
	f, err := os.CreateTemp(dir, ".rgflow-check-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // not the probe's own name
		}
		return fmt.Errorf("-%s %s cannot be written: no file can be created in %s (%v)", flagName, path, dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// canonicalPath is path made absolute and clean, with symbolic links in
// its directory resolved where they can be, so that two spellings of one
// file compare equal.
func canonicalPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// checkPluginDir refuses a plugin directory named explicitly (the -plugins
// flag, else $RGFLOW_PLUGINS) that does not exist or is not a directory.
// The default, the directory of the rgflow binary, always exists.
func checkPluginDir(flagValue string) error {
	name, dir := "-plugins", flagValue
	if dir == "" {
		name, dir = "RGFLOW_PLUGINS", os.Getenv("RGFLOW_PLUGINS")
	}
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s %s: no such directory", name, dir)
	case !fi.IsDir():
		return fmt.Errorf("%s %s is a file, not a directory of plugins", name, dir)
	}
	return nil
}
