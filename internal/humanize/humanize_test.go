package humanize

import "testing"

// Times are written without exponents: the bench's epoch times and the
// summary's seconds per epoch span 10 µs to minutes.
func TestDuration(t *testing.T) {
	for s, want := range map[float64]string{
		7.55e-05: "76 µs", 5e-6: "5 µs", 0.44: "440 ms", 0.0021: "2.1 ms", 0.00999: "10 ms", 1.3: "1.3 s", 40: "40 s",
		720: "12 min", 12600: "3.5 h", 9 * 86400: "9 days",
	} {
		if got := Duration(s); got != want {
			t.Errorf("Duration(%g) = %q, want %q", s, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	for b, want := range map[float64]string{
		0: "0 bytes", 512: "512 bytes", 1023: "1023 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 12 << 20: "12 MiB", 1.5 * (1 << 30): "1.5 GiB",
	} {
		if got := Bytes(b); got != want {
			t.Errorf("Bytes(%g) = %q, want %q", b, got, want)
		}
	}
}
