package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"hcm", "hmc", 1}, {"epochs", "epohcs", 1}, {"epochs", "ephocs", 2},
		{"seed", "sed", 1}, {"seed", "seeds", 1}, {"kitten", "sitting", 3}, {"", "abc", 3},
		{"traj", "trajectories", 8}, {"βeta", "beta", 1},
	} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
		if got := Distance(c.b, c.a); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.d)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"epochs", "seed", "rep", "json", "trajectories", "instances"}
	for _, c := range []struct{ in, want string }{
		{"ephocs", "epochs"}, {"EPOCHS", "epochs"}, {"sed", "seed"}, {"instance", "instances"},
		{"rpe", "rep"}, {"jsn", "json"}, {"trajectory", ""}, {"xyz", ""}, {"r", ""}, {"seedz", "seed"},
	} {
		if got := Closest(c.in, names); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
