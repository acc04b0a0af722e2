// Package nullfloat is a float64 for JSON results in which "no value" is
// NaN: encoding/json refuses NaN and ±Inf, so they are written as null
// (and null reads back as NaN).
package nullfloat

import (
	"math"
	"strconv"
)

// Float is a float64 that encodes NaN and ±Inf as JSON null, so a summary
// with no estimate still writes.
type Float float64

// NaN is Float(math.NaN()).
func NaN() Float { return Float(math.NaN()) }

// MarshalJSON writes null for NaN and ±Inf, else the shortest decimal
// that reads back as the same float64.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = NaN()
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*f = Float(v)
	return err
}
