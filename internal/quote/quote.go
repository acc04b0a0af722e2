// Package quote shows what a user typed inside a message: quoted, and
// shortened when long, so that a 100,000-character name gives a one-line
// error, not a 200 KB one.
package quote

import (
	"strconv"
	"unicode/utf8"
)

// MaxRunes is how much of an input a message shows.
const MaxRunes = 60

// Short is s quoted as %q does, its first MaxRunes characters and "…" if
// it is longer (the "…" outside the quotes: it is not part of the input).
func Short(s string) string {
	if utf8.RuneCountInString(s) <= MaxRunes {
		return strconv.Quote(s)
	}
	n, i := 0, 0
	for i = range s {
		if n == MaxRunes {
			break
		}
		n++
	}
	return strconv.Quote(s[:i]) + "…"
}

// Cut is s itself, cut to MaxRunes characters and "…" if it is longer,
// for inputs a message shows without quotes (paths).
func Cut(s string) string {
	if utf8.RuneCountInString(s) <= MaxRunes {
		return s
	}
	n, i := 0, 0
	for i = range s {
		if n == MaxRunes {
			break
		}
		n++
	}
	return s[:i] + "…"
}
