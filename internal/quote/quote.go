// Package quote shows what a user typed inside a message: quoted, and
// shortened when long, so that a 100,000-character name gives a one-line
// error, not a 200 KB one.
package quote

import (
	"regexp"
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

// MaxToken is the longest run of characters without a space that Message
// leaves whole (a long path stays readable).
const MaxToken = 160

var (
	quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	token  = regexp.MustCompile(`[^\s"]{` + strconv.Itoa(MaxToken+1) + `,}`)
)

// Message is a message made safe to print as one line of a reasonable
// length, whatever inputs it quotes: every quoted string longer than
// MaxRunes (as Short shows it) and every run of more than MaxToken
// characters without a space (as Cut) is shortened. It is the last guard
// before an error reaches the terminal; the places that quote an input
// use Short themselves.
func Message(msg string) string {
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if utf8.RuneCountInString(q) <= MaxRunes+2 {
			return q
		}
		s, err := strconv.Unquote(q)
		if err != nil {
			return Cut(q)
		}
		return Short(s)
	})
	return token.ReplaceAllStringFunc(msg, Cut)
}
