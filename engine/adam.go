package engine

import "math"

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

// Step moves params against grad.
func (a *Adam) Step(params, grad []float64) {
	a.T++
	c1 := 1 - math.Pow(a.Beta1, float64(a.T))
	c2 := 1 - math.Pow(a.Beta2, float64(a.T))
	for i, g := range grad {
		a.M[i] = a.Beta1*a.M[i] + (1-a.Beta1)*g
		a.V[i] = a.Beta2*a.V[i] + (1-a.Beta2)*g*g
		mh := a.M[i] / c1
		vh := a.V[i] / c2
		params[i] -= a.LR * mh / (math.Sqrt(vh) + a.Eps)
	}
}
