package engine

import (
	"math"

	"github.com/rgflow/rgflow/kernels"
)

// Adam is the optimiser of Kingma & Ba with PyTorch's defaults.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	M, V                  []float64 // first and second moment estimates
	T                     int       // steps taken

	kern kernels.Path // the step's loop (kernels.Path.Adam: the same bits on every path)
}

// NewAdam prepares the optimiser for n parameters.
func NewAdam(n int, lr, beta1, beta2, eps float64) *Adam {
	return &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, M: make([]float64, n), V: make([]float64, n)}
}

// Step moves params against grad.
func (a *Adam) Step(params, grad []float64) {
	a.T++
	c := kernels.AdamCoef{
		Beta1: a.Beta1, OneMinusBeta1: 1 - a.Beta1, Beta2: a.Beta2, OneMinusBeta2: 1 - a.Beta2,
		C1: 1 - math.Pow(a.Beta1, float64(a.T)), C2: 1 - math.Pow(a.Beta2, float64(a.T)),
		LR: a.LR, Eps: a.Eps,
	}
	a.kern.Adam(params, grad, a.M, a.V, &c)
}
