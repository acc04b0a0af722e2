package engine

import "testing"

// Times are written without exponents: the bench's epoch times and the
// summary's seconds per epoch span 10 µs to minutes.
func TestFormatDuration(t *testing.T) {
	for s, want := range map[float64]string{
		7.55e-05: "76 µs", 5e-6: "5 µs", 0.44: "440 ms", 0.0021: "2.1 ms", 0.00999: "10 ms", 1.3: "1.3 s", 40: "40 s",
		720: "12 min", 12600: "3.5 h", 9 * 86400: "9 days",
	} {
		if got := FormatDuration(s); got != want {
			t.Errorf("FormatDuration(%g) = %q, want %q", s, got, want)
		}
	}
}
