package workpool

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

func TestWorkers(t *testing.T) {
	if got, want := Workers(0), runtime.GOMAXPROCS(0); got != want {
		t.Errorf("Workers(0) = %d, want GOMAXPROCS %d", got, want)
	}
	if got := Workers(-3); got != runtime.GOMAXPROCS(0) {
		t.Errorf("Workers(-3) = %d", got)
	}
	if got := Workers(5); got != 5 {
		t.Errorf("Workers(5) = %d", got)
	}
}

// Every item runs exactly once, whatever the number of workers, and each
// goroutine's state is released once.
func TestEachVisitsEveryItemOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7, 100} {
		for _, n := range []int{0, 1, 5, 1000} {
			seen := make([]int32, n)
			var made, released atomic.Int32
			err := Each(context.Background(), n, workers,
				func() *int { made.Add(1); return new(int) },
				func(*int) { released.Add(1) },
				func(s *int, i int) { *s++; atomic.AddInt32(&seen[i], 1) })
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("workers %d, n %d: item %d ran %d times", workers, n, i, c)
				}
			}
			if made.Load() != released.Load() || (n > 0 && made.Load() < 1) || int(made.Load()) > max(1, min(Workers(workers), n)) {
				t.Errorf("workers %d, n %d: %d states made, %d released", workers, n, made.Load(), released.Load())
			}
		}
	}
}

// A done context stops handing out items and is reported.
func TestEachStopsOnDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Int32
	var once sync.Once
	err := Each(ctx, 10000, 2, func() struct{} { return struct{}{} }, nil, func(_ struct{}, i int) {
		ran.Add(1)
		once.Do(cancel)
	})
	if err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := ran.Load(); n > 10 {
		t.Errorf("%d items ran after the context was cancelled by the first", n)
	}
}

func TestFor(t *testing.T) {
	sum := make([]int, 100)
	For(len(sum), 3, func(i int) { sum[i] = i * i })
	for i, v := range sum {
		if v != i*i {
			t.Fatalf("item %d = %d", i, v)
		}
	}
}
