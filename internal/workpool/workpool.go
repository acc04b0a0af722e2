// Package workpool runs the independent items of one computation on a few
// goroutines: the one place rgflow decides how many workers "0" means and
// how items are handed out. Items are claimed in index order from a shared
// counter, so a slow item does not hold up the others; a caller that needs
// results independent of the number of workers writes item i's result to
// slot i and combines the slots in index order afterwards.
package workpool

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Workers is the number of goroutines a setting asks for: n itself when
// positive, else one per CPU (GOMAXPROCS).
func Workers(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// For runs f(i) for i = 0…n−1 on at most Workers(workers) goroutines (on
// the caller's alone where that is one, or n ≤ 1).
func For(n, workers int, f func(i int)) {
	Each(context.Background(), n, workers, func() struct{} { return struct{}{} }, nil, func(_ struct{}, i int) { f(i) })
}

// Each runs f(s, i) for i = 0…n−1 on at most Workers(workers) goroutines,
// each with its own state s from newState (buffers, say), handed to
// release, if not nil, when the goroutine is done. Once ctx is done no
// further item starts; Each returns ctx's error then, else nil.
func Each[S any](ctx context.Context, n, workers int, newState func() S, release func(S), f func(s S, i int)) error {
	w := min(Workers(workers), n)
	if w <= 1 {
		if n > 0 {
			s := newState()
			for i := 0; i < n && ctx.Err() == nil; i++ {
				f(s, i)
			}
			if release != nil {
				release(s)
			}
		}
		return ctx.Err()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newState()
			if release != nil {
				defer release(s)
			}
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				f(s, i)
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}
