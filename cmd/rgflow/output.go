package main

import (
	"encoding/json"
	"fmt"
	"os"
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
	dir := "."
	if i := strings.LastIndex(path, "/"); i >= 0 {
		dir = path[:i+1]
	}
	f, err := os.CreateTemp(dir, ".rgflow-check-*")
	if err != nil {
		return fmt.Errorf("-%s %s cannot be written: %v", flagName, path, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}
