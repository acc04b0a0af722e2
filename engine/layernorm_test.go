package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A network with layer norm computes PyTorch's Linear → LayerNorm → tanh:
// y = γ (z − mean z)/√(var z + 1e-5) + β with the biased variance, written
// out by hand for one hidden layer; γ and β sit after the linear layers and
// start at 1 and 0.
func TestLayerNormForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	net := NewMLP([]int{2, 4, 1}, Tanh, rng)
	lin := append([]float64(nil), net.Params...)
	net.AddLayerNorm()
	if len(net.Params) != net.NumParams() || net.NumParams() != len(lin)+8 {
		t.Fatalf("%d parameters after AddLayerNorm, NumParams %d (linear %d)", len(net.Params), net.NumParams(), len(lin))
	}
	gamma, beta := net.norm(net.Params, 1)
	for i := range gamma {
		if gamma[i] != 1 || beta[i] != 0 {
			t.Fatalf("γ, β start at %v, %v", gamma, beta)
		}
		gamma[i], beta[i] = 0.5+0.25*float64(i), 0.1*float64(i)-0.2
	}
	x := []float64{0.3, -1.1}
	W1, b1 := net.layer(net.Params, 0)
	W2, b2 := net.layer(net.Params, 1)
	z := make([]float64, 4)
	mean := 0.0
	for i := range z {
		z[i] = b1[i] + W1[2*i]*x[0] + W1[2*i+1]*x[1]
		mean += z[i] / 4
	}
	vr := 0.0
	for _, v := range z {
		vr += (v - mean) * (v - mean) / 4
	}
	want := b2[0]
	for i, v := range z {
		want += W2[i] * math.Tanh(gamma[i]*(v-mean)/math.Sqrt(vr+1e-5)+beta[i])
	}
	if got := net.Eval(x)[0]; math.Abs(got-want) > 1e-14 {
		t.Fatalf("forward = %v, by hand %v", got, want)
	}
	net.AddLayerNorm() // a second call changes nothing
	if len(net.Params) != len(lin)+8 {
		t.Fatal("AddLayerNorm added parameters twice")
	}
}

// The monotone model keeps the normalisations when it cuts the network to
// one output: its C is the cut network's output minus its value at 0.
func TestLayerNormMonotoneCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(63, 64))
	net := NewMLP([]int{5, 6, 7, 5}, Tanh, rng)
	net.AddLayerNorm()
	for i := net.linearParams(); i < len(net.Params); i++ {
		net.Params[i] += 0.2 * rng.NormFloat64()
	}
	norms := append([]float64(nil), net.Params[net.linearParams():]...)
	m, err := NewMonotoneModel(net)
	if err != nil {
		t.Fatal(err)
	}
	if len(net.Params) != net.NumParams() {
		t.Fatalf("%d parameters, NumParams %d", len(net.Params), net.NumParams())
	}
	for i, v := range net.Params[net.linearParams():] {
		if v != norms[i] {
			t.Fatal("the normalisations' γ and β moved when the output layer was cut")
		}
	}
	J := []float64{0.4, -0.2, 0.1, 0.7, -0.5}
	if got, want := m.Value(J), net.Eval(J)[0]-net.Eval(make([]float64, 5))[0]; math.Abs(got-want) > 1e-14 {
		t.Fatalf("C = %v, net(J) − net(0) = %v", got, want)
	}
}
