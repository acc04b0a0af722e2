"""Seconds per training epoch of the seed's reference implementation
(github.com/jshe2304/dlrg), on the CPU, with the loop of its train_many.py:
one HMC proposal (dt 0.001, 32 + 1 position updates) on the flow's squared
norm, the flow x + f(x), and the contrastive divergence (512 samples,
k_fine 32, k_coarse 1), backward and an Adam step. The per-epoch Newton
read-out of the second half is left out (it needs torch.func, absent from
torch 1.13; rgflow's rows include theirs, so the comparison leans toward
the seed's code).

usage: python3 seed_epoch.py REPO REP TRAJECTORIES EPOCHS   (REP: a1 | a1e)
prints one line per timed epoch: seconds
"""
import sys, time, types

repo, rep, n_models, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
import torch

if not hasattr(torch, "func"):
    # torch 1.13 has the same transforms in functorch.
    import functorch
    torch.func = types.ModuleType("torch.func")
    torch.func.grad, torch.func.jacfwd, torch.func.vmap = functorch.grad, functorch.jacfwd, functorch.vmap
    sys.modules["torch.func"] = torch.func
    torch.vmap = functorch.vmap
if torch.__version__.startswith("1."):
    # torch 1.13's no_grad is not a bare decorator (@torch.no_grad, as the
    # seed's samplers use it); 2.x's is.
    _no_grad = torch.no_grad
    torch.no_grad = lambda fn=None: _no_grad()(fn) if callable(fn) else _no_grad()

torch.set_num_threads(2)
sys.path.insert(0, repo)
from neuralnet.mlp import MLP
from rbm.rbm import RBM
from rbm.adjacency import get_adjacency_matrices
from rbm.coupling import get_coupling_matrix
from rbm.loss import contrastive_divergence
from utils.samplers import HMC

device = torch.device("cpu")
torch.manual_seed(1)
square, cross = get_adjacency_matrices("lieb")
coupling = get_coupling_matrix(rep)
c = coupling.size(0)
fine = RBM(square, coupling, device=device)
coarse = RBM(cross, coupling, device=device)
sampler = HMC(dt=0.001, runtime=32, steps=1, device=device)
flow = MLP(in_dim=c, out_dim=c, hidden_depth=c, width=16 * c, device=device)
flow.train()
opt = torch.optim.Adam(flow.parameters())
J = torch.randn(n_models, c, device=device)
beta = 16.0  # the annealed β late in a run; the cost does not depend on it
for epoch in range(epochs):
    t0 = time.perf_counter()
    opt.zero_grad()
    sampler.potential = lambda x: beta * (flow(x) ** 2).sum(dim=-1)
    J = sampler.step(J).detach()
    fine.J = J
    coarse.J = J + flow(J)
    contrastive_divergence(fine, coarse, batch_size=512, k_fine=32, k_coarse=1).backward()
    opt.step()
    print("%.6f" % (time.perf_counter() - t0), flush=True)
