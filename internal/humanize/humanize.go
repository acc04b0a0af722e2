// Package humanize writes sizes and durations the way rgflow's messages,
// tables and progress lines show them to a person: one home, so that
// "1.5 GiB" and "12 min" read the same everywhere.
package humanize

import "fmt"

// Bytes writes a size in bytes: whole bytes below 1 KiB ("512 bytes"),
// else three significant digits in the largest binary unit that keeps it
// at least 1 ("1.5 GiB", "12 KiB").
func Bytes(b float64) string {
	if b < 1024 {
		return fmt.Sprintf("%.0f bytes", b)
	}
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}

// Duration writes a time in seconds in the largest fitting unit, with two
// significant digits and never an exponent below a year: "85 µs", "440
// ms", "40 s", "12 min", "3.5 h", "9 days", "1.2e+03 years".
func Duration(s float64) string {
	switch {
	case s < 1e-3:
		return digits2(s*1e6) + " µs"
	case s < 1:
		return digits2(s*1e3) + " ms"
	case s < 120:
		return digits2(s) + " s"
	case s < 7200:
		return fmt.Sprintf("%.0f min", s/60)
	case s < 3*86400:
		return fmt.Sprintf("%.1f h", s/3600)
	case s < 365*86400:
		return fmt.Sprintf("%.0f days", s/86400)
	}
	return fmt.Sprintf("%.2g years", s/(365*86400))
}

// digits2 writes x ≥ 0 with two significant digits, or as a whole number
// from 10 on (%.2g would write 440 as 4.4e+02).
func digits2(x float64) string {
	if x >= 9.95 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.2g", x)
}
