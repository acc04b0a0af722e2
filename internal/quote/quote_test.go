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

// Message shortens the long quoted strings and tokens of a message and
// leaves the rest as it is.
func TestMessage(t *testing.T) {
	long := strings.Repeat("x", 100000)
	for _, tc := range []struct{ in, want string }{
		{`unknown representation "A7"`, `unknown representation "A7"`},
		{`invalid value "` + long + `" for flag -epochs: parse error`, `invalid value "` + strings.Repeat("x", 60) + `"… for flag -epochs: parse error`},
		{"no plugin rgflow-rep-" + long + " in /bin", "no plugin rgflow-rep-" + strings.Repeat("x", 49) + "… in /bin"},
		{"-json /a/rather/long/path/" + strings.Repeat("d/", 40) + "s.json", "-json /a/rather/long/path/" + strings.Repeat("d/", 40) + "s.json"},
	} {
		if got := Message(tc.in); got != tc.want {
			t.Errorf("Message(%.60q…) = %.200q, want %.200q", tc.in, got, tc.want)
		}
	}
}
