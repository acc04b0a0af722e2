# times Hou & You's A1 training protocol (models/A1/parameters.txt) with
# their MLRG.py, for each representation, on 2 threads: seconds per epoch
import sys, time, torch
torch.set_num_threads(2)
from MLRG import MLRG, Sn_dat
reps = {'A1': (['A1'], [6, 12, 8]), 'A1+E': (['A1', 'E'], [12, 24, 6]), '2A1+E': (['A1', 'A1', 'E'], [24, 48, 12])}
name = sys.argv[1]
epochs = int(sys.argv[2])
rep, h = reps[name]
torch.manual_seed(1)
mlrg = MLRG(Sn_dat[2], rep, h)
opt = torch.optim.Adam(mlrg.parameters(), lr=0.01)
c = mlrg.moderator.Jdim
ts = []
for i in range(epochs + 2):
    t0 = time.perf_counter()
    Jtch = 1.4 * torch.randn(200, c)
    loss = mlrg.loss(Jtch=Jtch, samples=1000, gibbssteps=20, cdsteps=1).mean(-1)
    opt.zero_grad()
    loss.backward()
    opt.step()
    ts.append(time.perf_counter() - t0)
ts = sorted(ts[2:])
print(name, 'c =', c, 'median s/epoch %.4f' % ts[len(ts) // 2], 'min %.4f max %.4f' % (ts[0], ts[-1]))
