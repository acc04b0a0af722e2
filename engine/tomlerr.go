package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/rgflow/rgflow/internal/quote"
	"github.com/rgflow/rgflow/internal/suggest"
)

// DecodeTOML decodes data into v (which holds the defaults) refusing
// unknown keys, and reports any error in the file's own terms (TOMLError).
// Every TOML file rgflow reads is decoded through it.
func DecodeTOML(data []byte, v any) error {
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return TOMLError(data, v, err)
	}
	return nil
}

// TOMLError turns an error of go-toml's decoder, for the document data
// decoded into v, into one sentence in the file's terms: the key, what it
// expects and what it got, and where (`epochs: expected an integer, got
// "ten" (line 1, column 10)`, `unknown key "ephocs" (did you mean
// "epochs"?)`), never a Go type. data and v may be nil (then the message
// says less); errors of other kinds pass through.
func TOMLError(data []byte, v any, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var parts []string
		for _, e := range strict.Errors {
			key := e.Key()
			part := quote.Short(strings.Join(key, "."))
			if s := suggestKey(v, key); s != "" {
				part += fmt.Sprintf(" (did you mean %q?)", s)
			}
			parts = append(parts, part)
		}
		what := "unknown key "
		if len(parts) > 1 {
			what = "unknown keys "
		}
		return errors.New(what + strings.Join(parts, ", "))
	}
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		return err
	}
	row, col := de.Position()
	where := fmt.Sprintf("line %d, column %d", row, col)
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	key := strings.Join(de.Key(), ".")
	if key == "" {
		return fmt.Errorf("%s: %s", where, userTerms(msg))
	}
	got, inList := valueAt(data, row, col)
	if strings.Contains(msg, "is already defined") {
		return fmt.Errorf("%s is set twice (the second time at %s)", key, where)
	}
	if t, ok := fieldType(v, de.Key()); ok {
		if s, hint := mismatch(msg, t, got, inList); s != "" {
			return fmt.Errorf("%s: %s (%s)%s", key, s, where, hint)
		}
	}
	return fmt.Errorf("%s: %s (%s)", key, userTerms(msg), where)
}

// goTypeText matches the parts of go-toml's messages that name Go types.
var goTypeText = regexp.MustCompile(`(into )?(struct field .+? of type \S+|a Go value of type \S+|a \S*\.\S+)`)

// userTerms removes Go type names from a message TOMLError could not
// rephrase.
func userTerms(msg string) string {
	return goTypeText.ReplaceAllString(msg, "${1}this key")
}

// mismatch rephrases a type mismatch between the TOML value got (an
// element of a list if inList) and the Go type t of its key, with a hint
// of how to write it; "" if msg is not a mismatch.
func mismatch(msg string, t reflect.Type, got string, inList bool) (s, hint string) {
	want := typeWords(t)
	if want == "" {
		return "", ""
	}
	shown := got
	if shown == "" {
		shown = "something else"
	}
	elem := t
	switch {
	case strings.Contains(msg, "array table"):
		return fmt.Sprintf("expected %s, got an array of tables [[…]]", want), ""
	case (strings.Contains(msg, "too large to fit") || strings.Contains(msg, "overflow")) && isInt(t):
		return fmt.Sprintf("%s is too large for %s (TOML integers have 64 bits)", shown, want), ""
	case strings.Contains(msg, "too large to fit") || strings.Contains(msg, "overflow") || strings.Contains(msg, "unable to parse"):
	case strings.Contains(msg, "negative integer"):
		// an integer already: nothing to rewrite
		return fmt.Sprintf("expected %s, got %s", want, shown), ""
	case strings.HasPrefix(msg, "cannot decode TOML") || strings.HasPrefix(msg, "cannot store"):
	default:
		return "", ""
	}
	if (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && inList {
		s = fmt.Sprintf("expected %s, got %s in the list", want, shown)
		elem = t.Elem()
	} else {
		s = fmt.Sprintf("expected %s, got %s", want, shown)
	}
	if isInt(elem) {
		if x, err := strconv.ParseFloat(strings.ReplaceAll(got, "_", ""), 64); err == nil && x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			hint = fmt.Sprintf("; write it as %d, without a decimal point or exponent", int64(x))
		}
	}
	return s, hint
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// typeWords says in words what a key of Go type t takes.
func typeWords(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "a table"
	case reflect.Slice, reflect.Array:
		el := typeWords(t.Elem())
		if el == "" {
			return "a list"
		}
		plural := map[string]string{
			"an integer": "integers", "a non-negative integer": "non-negative integers", "a number": "numbers",
			"a string": "strings", "true or false": "booleans", "a table": "tables",
		}[el]
		if plural == "" {
			return "a list"
		}
		return "a list of " + plural
	}
	return ""
}

// fieldType finds the Go type of the key path in v's type through the
// fields' toml tags (embedded structs are searched as go-toml does).
func fieldType(v any, path []string) (reflect.Type, bool) {
	if v == nil {
		return nil, false
	}
	t := reflect.TypeOf(v)
	for _, name := range path {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Map:
			t = t.Elem()
			continue
		case reflect.Struct:
		default:
			return nil, false
		}
		f, ok := tomlField(t, name)
		if !ok {
			return nil, false
		}
		t = f
	}
	return t, true
}

// tomlField is the type of struct t's field whose TOML name is name, or,
// as go-toml's decoder also accepts, equal to name but for case ("sEed").
func tomlField(t reflect.Type, name string) (reflect.Type, bool) {
	var folded reflect.Type
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Tag.Get("toml") == "" {
			continue
		}
		switch n := tomlName(f); {
		case n == name:
			return f.Type, true
		case folded == nil && strings.EqualFold(n, name):
			folded = f.Type
		}
	}
	return folded, folded != nil
}

func tomlName(f reflect.StructField) string {
	tag, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if tag == "" {
		return f.Name
	}
	return tag
}

// suggestKey is the key of v's table (the parent of path) nearest the
// unknown last element of path, if it is near enough to be a typo.
func suggestKey(v any, path []string) string {
	if len(path) == 0 {
		return ""
	}
	parent, ok := fieldType(v, path[:len(path)-1])
	for ok && parent.Kind() == reflect.Pointer {
		parent = parent.Elem()
	}
	if !ok || parent.Kind() != reflect.Struct {
		return ""
	}
	last := path[len(path)-1]
	best, bestD := "", 3 // at most two edits
	var names []string
	for _, f := range reflect.VisibleFields(parent) {
		if f.IsExported() && !(f.Anonymous && f.Tag.Get("toml") == "") {
			names = append(names, tomlName(f))
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if d := suggest.Distance(strings.ToLower(last), n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return strings.Join(append(slices.Clone(path[:len(path)-1]), best), ".")
}

// valueAt is the TOML value that starts at line row, column col (1-based)
// of data, as written, shortened for a message: a string with its quotes,
// a list or table as "a list" or "a table". inList reports that the value
// is an element of a list (a "[" stands between the key's "=" and it, or
// the line has no key).
func valueAt(data []byte, row, col int) (v string, inList bool) {
	lines := bytes.Split(data, []byte("\n"))
	if row < 1 || row > len(lines) {
		return "", false
	}
	line := strings.TrimRight(string(lines[row-1]), "\r")
	if col < 1 || col > len(line) { // go-toml counts columns in bytes
		return "", false
	}
	before, rest := line[:col-1], line[col-1:]
	if eq := strings.LastIndexByte(before, '='); eq < 0 {
		inList = strings.TrimSpace(before) == "" || strings.HasSuffix(strings.TrimSpace(before), ",") || strings.HasSuffix(strings.TrimSpace(before), "[")
	} else {
		inList = strings.Contains(before[eq:], "[")
	}
	return valueText(rest), inList
}

// valueText is the TOML value at the start of rest, for a message.
func valueText(rest string) string {
	short := func(s string) string {
		if r := []rune(s); len(r) > 40 {
			return string(r[:37]) + "…"
		}
		return s
	}
	switch rest[0] {
	case '[':
		return "a list"
	case '{':
		return "a table"
	case '"', '\'':
		end := 1
		for end < len(rest) && rest[end] != rest[0] {
			if rest[end] == '\\' && rest[0] == '"' {
				end++
			}
			end++
		}
		return short(rest[:min(end+1, len(rest))])
	}
	end := strings.IndexAny(rest, " \t,]}#")
	if end < 0 {
		end = len(rest)
	}
	return short(rest[:end])
}
