"""Seconds per training epoch of Hou & You's implementation
(github.com/EverettYou/MLRG, MLRG.py), on the CPU, as their notebook's loop
runs it: propose(J, beta=5, steps=1) (HMC, 32 leapfrog steps), loss(J,
samples=512, gibbssteps=5, cdsteps=1), backward and an Adam step (lr 1e-3),
their default monotone network (hidden widths 8c and 4c).

usage: python3 houyou_epoch.py REPO REP TRAJECTORIES EPOCHS   (REP: A1 | A1+E | 2A1+E)
prints one line per timed epoch: seconds
"""
import sys, time

repo, rep, n, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
import torch

torch.set_num_threads(2)
sys.path.insert(0, repo)
from MLRG import MLRG, Sn_dat

irreps = {"A1": ["A1"], "A1+E": ["A1", "E"], "2A1+E": ["A1", "A1", "E"]}[rep]
torch.manual_seed(1)
mlrg = MLRG(Sn_dat[2], irreps)
opt = torch.optim.Adam(mlrg.parameters(), lr=1e-3)
J = torch.randn(n, mlrg.moderator.Jdim)
for epoch in range(epochs):
    t0 = time.perf_counter()
    J = mlrg.propose(J, beta=5, steps=1)
    loss = mlrg.loss(J, samples=512, gibbssteps=5, cdsteps=1)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print("%.6f" % (time.perf_counter() - t0), flush=True)
