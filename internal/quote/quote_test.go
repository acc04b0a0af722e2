package quote

import (
	"strings"
	"testing"
)

func TestShort(t *testing.T) {
	for _, tc := range []struct{ in, short, cut string }{
		{"A1+E", `"A1+E"`, "A1+E"},
		{"", `""`, ""},
		{strings.Repeat("x", 60), `"` + strings.Repeat("x", 60) + `"`, strings.Repeat("x", 60)},
		{strings.Repeat("x", 100000), `"` + strings.Repeat("x", 60) + `"…`, strings.Repeat("x", 60) + "…"},
		{strings.Repeat("é", 61), `"` + strings.Repeat("é", 60) + `"…`, strings.Repeat("é", 60) + "…"},
		{"a\nb", `"a\nb"`, "a\nb"},
	} {
		if got := Short(tc.in); got != tc.short {
			t.Errorf("Short(%.20q…) = %.80s, want %.80s", tc.in, got, tc.short)
		}
		if got := Cut(tc.in); got != tc.cut {
			t.Errorf("Cut(%.20q…) = %.80s, want %.80s", tc.in, got, tc.cut)
		}
	}
}
