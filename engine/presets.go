package engine

// The protocol presets (Presets): each sets, over the defaults, the keys
// that make rgflow run another implementation's algorithm as closely as it
// can. docs/presets.md gives every choice beside the source line it comes
// from, and what the source leaves open. Couplings stay in rgflow's units
// (docs/conventions.md §6).
const (
	PresetDLRG   = "dlrg"
	PresetHouYou = "hou-you"
)

// presetHouYou is Hou & You's MLRG (MLRG.py; the training of their A1
// models, models/A1/parameters.txt in the repository's history, the only
// one they publish from a fresh network): the RG monotone C with
// Linear → LayerNorm → tanh layers in their units J_theirs = 2J, their
// contrastive divergence, 200 epochs of Adam at lr 0.01 on 200 couplings
// drawn afresh as 1.4·N(0, 1) in their units each epoch, 1000 samples, 20
// Gibbs sweeps and one CD step; HMC, when turned on (hmc.sample_steps), on
// β‖∇C‖ with their leapfrog.
func presetHouYou(c *Config) {
	c.PublishedLoop()
	c.Model, c.Loss = ModelMonotone, LossCDEnergy
	c.Epochs, c.Trajectories = 200, 200
	c.InitScale = 0.7 // 1.4·N(0, 1) of J_theirs
	c.Network = NetworkConfig{
		Activation: "tanh", LayerNorm: true, InputScale: 2,
		HiddenByC: map[string][]int{"1": {6, 12, 8}, "5": {12, 24, 6}, "10": {24, 48, 12}},
	}
	c.HMC.Redraw, c.HMC.SampleSteps = true, 0
	c.HMC.Potential = "norm"
	c.HMC.Dt, c.HMC.SolveSteps = 0.005, 33 // dt 0.01 of J_theirs; traj_len 32 is 33 position updates
	c.HMC.BetaT, c.HMC.Center = 5, -1      // their fine-tuning's constant β = 5
	c.Optimizer.LR = 0.01
	c.CD = CDConfig{Samples: 1000, KFine: 20, KCoarse: 1}
	c.Newton.Start, c.Newton.Step, c.Newton.MaxIter = 0.85, 0.1, 400 // J = 1.7 of J_theirs, Newton_step(step_size=0.1)
}

// presetDLRG is the seed's reference implementation (train_many.py,
// neuralnet/mlp.py, rbm/, utils/): the flow f_θ, a ReLU MLP of c+1 hidden
// layers of 16c units, 4096 epochs with β annealed to 16 around epoch
// 1024, 8·3^c HMC trajectories with leapfrog dt 0.001 and 32 (+1) steps,
// one proposal per epoch, CD 512 samples, k_fine 32, k_coarse 1, Adam's
// default learning rate, roots from 0.8 over the second half; its bonds are
// unrotated (every bond carries K, the coarse centre is the source).
func presetDLRG(c *Config) {
	c.PublishedLoop()
	c.Model, c.Loss = ModelFlow, LossCD
	c.Bonds = BondsUnrotated                             // rbm/rbm.py: W = kron(adjacency, K) in both blocks
	c.Epochs, c.Trajectories, c.MaxTraj = 4096, 0, 1<<20 // 8·3^c uncapped: 1944 for A1+E
	c.InitScale = 1
	c.Network = NetworkConfig{
		Activation: "relu", InputScale: 1,
		HiddenByC: map[string][]int{"1": {16, 16}, "5": {80, 80, 80, 80, 80, 80}},
	}
	c.HMC.Dt, c.HMC.SolveSteps, c.HMC.SampleSteps = 0.001, 33, 1
	c.HMC.BetaT, c.HMC.Center, c.HMC.Sharpness = 16, 0.25, 16
	c.HMC.Potential = "square"
	c.Optimizer.LR = 1e-3
	c.CD = CDConfig{Samples: 512, KFine: 32, KCoarse: 1}
	c.Newton.Start, c.Newton.Step, c.Newton.MaxIter = 0.8, 1, 512
	c.Newton.StartByC = map[string][]float64{"5": {0.8, 0, 0, 0.8, 0.8}} // train.ipynb's A1+E start
}

// PublishedLoop turns off what rgflow adds to the seed's training loop
// (docs/training.md): the log-KL scale, the trajectories on the flow from
// the physical axis, the cosine schedule and warm starts.
func (c *Config) PublishedLoop() {
	c.LossScale = "linear"
	c.HMC.AxisFraction = 0
	c.Optimizer.Schedule = "constant"
	c.WarmStart = "none"
}
