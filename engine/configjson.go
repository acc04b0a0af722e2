package engine

import (
	"encoding/json"
	"reflect"
	"unicode"
	"unicode/utf8"
)

// UnmarshalJSON reads a configuration in its JSON form, whose keys are the
// TOML names ("max_trajectories", "hmc": {"beta": …}), or in the form
// checkpoints and runs.jsonl had before, whose keys were the Go field
// names ("MaxTraj", "HMC": {"BetaT": …}); a key that is missing keeps the
// value cfg already holds. The old form is told apart by its top-level
// keys, which start with a capital letter.
func (c *Config) UnmarshalJSON(data []byte) error {
	type plain Config // the same fields and tags, without this method
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return err
	}
	legacy := false
	for k := range keys {
		if r, _ := utf8.DecodeRuneInString(k); unicode.IsUpper(r) {
			legacy = true
			break
		}
	}
	if !legacy {
		return json.Unmarshal(data, (*plain)(c))
	}
	old := reflect.New(goNamesType).Elem()
	copyFields(old, reflect.ValueOf(c).Elem())
	if err := json.Unmarshal(data, old.Addr().Interface()); err != nil {
		return err
	}
	copyFields(reflect.ValueOf(c).Elem(), old)
	return nil
}

// GoNamesForm is c in the JSON form checkpoints and runs.jsonl had before,
// keyed by Go field names (a value of Config's type without its tags).
// The bench suites hash it into their run keys, so that the keys of
// results directories made before stay the same.
func GoNamesForm(c Config) any {
	v := reflect.New(goNamesType).Elem()
	copyFields(v, reflect.ValueOf(c))
	return v.Interface()
}

// goNamesType is Config's type with every tag dropped, nested tables too:
// encoding/json keys it by the Go field names.
var goNamesType = untagged(reflect.TypeFor[Config]())

func untagged(t reflect.Type) reflect.Type {
	if t.Kind() != reflect.Struct {
		return t
	}
	fields := make([]reflect.StructField, t.NumField())
	for i := range fields {
		f := t.Field(i)
		fields[i] = reflect.StructField{Name: f.Name, Type: untagged(f.Type)}
	}
	return reflect.StructOf(fields)
}

// copyFields copies src into dst, two structs with the same fields in the
// same order (Config and its untagged twin), table by table.
func copyFields(dst, src reflect.Value) {
	if dst.Kind() != reflect.Struct {
		dst.Set(src)
		return
	}
	for i := 0; i < dst.NumField(); i++ {
		copyFields(dst.Field(i), src.Field(i))
	}
}
