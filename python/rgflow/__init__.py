"""rgflow from Python: run the rgflow binary and get its results as dicts
and pandas DataFrames.

    import rgflow
    s = rgflow.train(rep="A1", epochs=200, seed=1, checkpoint="a1.ckpt")
    s["jc_median"], s["axis_jc"], s["verdict"]
    s.tables["history"]                      # one row per epoch
    rgflow.oracle("A1")["axis_jc"]           # the exact variational map: 0.81392…
    rgflow.flow("a1.ckpt", [0.8])            # J′, f, ∂J′/∂J and its eigenvalues
    rgflow.flow("a1.ckpt", axis=True, exact=True).tables["points"]
    rgflow.bench("bias-vs-dimension", quick=True).tables["bias-vs-dimension"]
    rgflow.Network.from_checkpoint("a1.ckpt").map([0.8])   # the same map in numpy

Usable with PYTHONPATH=python from the repository (Debian's python3 with
python3-numpy and python3-pandas; no other package). The binary is
$RGFLOW_BIN, else the repository's bin/rgflow (make build), else rgflow
on PATH.

Keyword arguments of train and bench are configuration keys; nested keys
are dicts (hmc={"beta": 8}) or double underscores (hmc__beta=8). They are
written to a temporary TOML experiment file, which rgflow checks as it
checks any: an unknown key or a bad value raises RgflowError with
rgflow's one-sentence message and exit code. A training that completes
with a verdict of "not to be trusted" (exit code 3) is returned, not
raised: result.trusted is False and an UntrustedWarning quotes the
verdict. python/README.md has the details.
"""

from ._commands import bench, config, eval, flow, oracle, train
from ._run import Result, RgflowError, UntrustedWarning, binary


def __getattr__(name):
    # numpy only when the network is asked for
    if name == "Network":
        from .network import Network
        return Network
    raise AttributeError(f"module 'rgflow' has no attribute {name!r}")


__all__ = ["train", "eval", "oracle", "flow", "bench", "config", "binary",
           "Result", "RgflowError", "UntrustedWarning", "Network"]
