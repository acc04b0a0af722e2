package nullfloat

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := []Float{0.1, -2.5e-300, Float(math.Inf(1)), NaN(), 1}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "[0.1,-2.5e-300,null,null,1]" {
		t.Errorf("encoded %s", b)
	}
	var out []Float
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		want := float64(in[i])
		if math.IsInf(want, 0) {
			want = math.NaN() // null reads back as NaN
		}
		if got := float64(v); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("value %d: got %v, want %v", i, got, want)
		}
	}
	if err := json.Unmarshal([]byte(`"x"`), new(Float)); err == nil {
		t.Error("a string decoded as a Float")
	}
}
