package engine

import (
	"math"
	"runtime"
	"sync"
)

// Adam is the optimiser of Kingma & Ba with PyTorch's defaults.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	M, V                  []float64 // first and second moment estimates
	T                     int       // steps taken
}

// NewAdam prepares the optimiser for n parameters.
func NewAdam(n int, lr, beta1, beta2, eps float64) *Adam {
	return &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, M: make([]float64, n), V: make([]float64, n)}
}

// adamSplit is the number of parameters from which a step is shared
// between goroutines: each parameter's update is its own (three divisions
// and a square root, about 8 ns), so the halves of a large network's
// vector update at once with the same bits, and the serial tail of an
// epoch gets shorter.
const adamSplit = 1 << 14

// Step moves params against grad.
func (a *Adam) Step(params, grad []float64) {
	a.T++
	c1 := 1 - math.Pow(a.Beta1, float64(a.T))
	c2 := 1 - math.Pow(a.Beta2, float64(a.T))
	n := len(grad)
	parts := min(runtime.GOMAXPROCS(0), n/(adamSplit/2))
	if parts <= 1 {
		a.update(params, grad, 0, n, c1, c2)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < parts; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.update(params, grad, w*n/parts, (w+1)*n/parts, c1, c2)
		}()
	}
	a.update(params, grad, 0, n/parts, c1, c2)
	wg.Wait()
}

// update is the step of parameters lo…hi−1, with the bias corrections
// c1 = 1 − β1^t and c2 = 1 − β2^t.
func (a *Adam) update(params, grad []float64, lo, hi int, c1, c2 float64) {
	M, V, p := a.M[lo:hi], a.V[lo:hi], params[lo:hi]
	for i, g := range grad[lo:hi] {
		M[i] = a.Beta1*M[i] + (1-a.Beta1)*g
		V[i] = a.Beta2*V[i] + (1-a.Beta2)*g*g
		mh := M[i] / c1
		vh := V[i] / c2
		p[i] -= a.LR * mh / (math.Sqrt(vh) + a.Eps)
	}
}
