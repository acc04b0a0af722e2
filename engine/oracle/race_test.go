//go:build race

package oracle

// underRace is set when the tests run under the race detector, where the
// serial analyses of 2A1+E (seconds here, a minute there) are skipped: the
// oracle's goroutines, those of the KL's parallel evaluation, are checked
// by the other tests.
const underRace = true
