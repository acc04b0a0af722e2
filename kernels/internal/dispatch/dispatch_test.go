package dispatch

import (
	"strings"
	"testing"
)

type fake struct {
	name string
	ok   bool
}

func (f fake) Name() string    { return f.name }
func (f fake) Available() bool { return f.ok }

func TestChoose(t *testing.T) {
	paths := []fake{{"avx512", false}, {"avx2", true}, {"generic", true}}
	if p, err := Choose(paths, ""); err != nil || p.name != "avx2" {
		t.Errorf(`Choose("") = %v, %v; want the fastest available, avx2`, p, err)
	}
	if p, err := Choose(paths, "generic"); err != nil || p.name != "generic" {
		t.Errorf(`Choose("generic") = %v, %v`, p, err)
	}
	if _, err := Choose(paths, "avx512"); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("an unavailable path gave %v", err)
	}
	if _, err := Choose(paths, "sse9"); err == nil || !strings.Contains(err.Error(), "unknown") || !strings.Contains(err.Error(), "avx2") {
		t.Errorf("an unknown path gave %v", err)
	}
	if _, err := Choose(paths[1:], "avx512"); err == nil || !strings.Contains(err.Error(), "not in this build") {
		t.Errorf("a path of other builds gave %v", err)
	}
	if got := Names(paths); len(got) != 2 || got[0] != "avx2" {
		t.Errorf("Names = %v", got)
	}
}
