"""rgflow's commands as Python functions: each runs the binary and returns
its JSON as a dict (a Result) with its tables as pandas DataFrames."""

import glob
import json
import os
import tempfile
import tomllib
import warnings

from . import _toml
from ._run import EXIT_UNTRUSTED, Result, RgflowError, UntrustedWarning, run

__all__ = ["train", "eval", "oracle", "flow", "bench", "config"]


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("rgflow's tables need pandas (Debian: apt-get install python3-pandas)") from e
    return pandas


def _experiment(config, keys):
    """The experiment file's keys: the file config (a path, or None) under
    the keyword arguments."""
    try:
        over = _toml.nest(keys)
    except ValueError as e:
        raise TypeError(str(e)) from None
    base = {}
    if config is not None:
        with open(config, "rb") as f:
            base = tomllib.load(f)
    return _toml.merge(base, over, None)


def _vector(J, what):
    """'j1,j2,…' from a number or a sequence of numbers."""
    if isinstance(J, str):
        return J
    try:
        vals = list(J)
    except TypeError:
        vals = [J]
    if any(isinstance(v, (list, tuple)) for v in vals):
        raise TypeError(f"{what} is one coupling vector, a list of numbers")
    return ",".join(repr(float(v)) for v in vals)


def _points(J):
    """'a;b;…' from one point (a number, or a list of c numbers) or several
    (a list of lists, or a 2-D array)."""
    if isinstance(J, str):
        return J
    rows = J.tolist() if hasattr(J, "tolist") else J
    if not isinstance(rows, (list, tuple)):
        rows = [rows]
    if rows and all(isinstance(r, (list, tuple)) for r in rows):
        return ";".join(_vector(r, "each point") for r in rows)
    return _vector(rows, "J")


def _plugins(plugins):
    return ["-plugins", os.path.abspath(plugins)] if plugins else []


def train(*, config=None, checkpoint=None, plot=None, oracle=None, resume=None, plugins=None, progress=False, **keys):
    """Train (rgflow train) and return the summary (docs/formats.md) as a dict.

    Keyword arguments are configuration keys (``rgflow config`` lists them
    with their defaults): ``train(rep="A1+E", epochs=500, seed=2)``. A
    nested key is a dict, ``hmc={"beta": 8}``, or a double underscore,
    ``hmc__beta=8``. They go into a temporary experiment file, over the
    TOML file config if one is given; rgflow checks them (an unknown key
    is an RgflowError with a did-you-mean).

    checkpoint, plot: files to write (-checkpoint, -plot); resume: a
    checkpoint to continue (-resume; epochs= then sets the new total);
    oracle: "on", "off" or "auto" (rgflow's default: on for c <= 5);
    plugins: the plugin directory; progress: copy rgflow's progress lines
    to stderr.

    Tables: "history" (one row per epoch: epoch, loss, beta, acceptance,
    root) and "flow" (the learned flow on the physical axis: j0, f_0, …).
    A run whose verdict says the estimate is not to be trusted (exit code
    3) is returned with .trusted False and an UntrustedWarning quoting the
    verdict; any other failure raises RgflowError.
    """
    cfg = _experiment(config, keys)
    with tempfile.TemporaryDirectory(prefix="rgflow-train-") as tmp:
        exp = os.path.join(tmp, "experiment.toml")
        with open(exp, "w", encoding="utf-8") as f:
            f.write(_toml.dumps(cfg))
        out = os.path.join(tmp, "summary.json")
        args = ["train", "-json", out]
        if resume is not None:
            # a resumed run keeps its checkpoint's configuration: only
            # epochs, workers and the outputs may be given
            args += ["-resume", os.path.abspath(resume)]
            for k, v in cfg.items():
                if k not in ("epochs", "workers"):
                    raise TypeError(f"train(resume=…) keeps the checkpoint's configuration; {k!r} cannot be set (only epochs and workers)")
                args += [f"-{k}", str(v)]
        elif cfg:
            args += ["-config", exp]
        if checkpoint is not None:
            args += ["-checkpoint", os.path.abspath(checkpoint)]
        if plot is not None:
            args += ["-plot", os.path.abspath(plot)]
        if oracle is not None:
            args += ["-oracle", str(oracle)]
        args += _plugins(plugins)
        if not progress:
            args.append("-quiet")
        code, stdout, stderr = run(args, progress=progress, ok=(0, EXIT_UNTRUSTED))
        with open(out, encoding="utf-8") as f:
            summary = json.load(f)
    def tables():
        pd = _pandas()
        flow_rows = [dict(j0=p["j0"], **{f"f_{i}": v for i, v in enumerate(p["flow"])}) for p in summary.get("flow") or []]
        return {"history": pd.DataFrame(summary.get("history") or {}), "flow": pd.DataFrame(flow_rows)}

    res = Result(summary, tables=tables, exit_code=code, stdout=stdout, stderr=stderr)
    if code == EXIT_UNTRUSTED:
        verdict = "; ".join(summary.get("verdict") or []) or "see the summary"
        warnings.warn(f"rgflow train: the estimate is not to be trusted: {verdict}", UntrustedWarning, stacklevel=2)
    return res


def eval(rep, J, Jp, *, coarse_mirror=None, bonds=None, plugins=None):
    """KL(J, J′) and its gradient in J′ (rgflow eval) as a dict:
    {"rep", "coarse_mirror", "bonds", "J", "Jp", "kl", "grad", "kernels"}."""
    args = ["eval", "-rep", rep, "-J", _vector(J, "J"), "-Jp", _vector(Jp, "Jp"), "-json", "-"]
    if coarse_mirror is not None:
        args += ["-coarse-mirror", coarse_mirror]
    if bonds is not None:
        args += ["-bonds", bonds]
    _, stdout, stderr = run(args + _plugins(plugins))
    return Result(json.loads(stdout), stdout=stdout, stderr=stderr)


def oracle(rep="A1", *, coarse_mirror=None, start=None, axis_tol=None, plugins=None, progress=False):
    """The exact variational map's fixed points, exponents and physical-axis
    J_c (rgflow oracle) as a dict; table "fixed_points" (one row per fixed
    point: kl, lambda, nu, relevant, axis_jc, saddle, J_0 …).

    start: extra fixed-point starts, one point (a list of c numbers) or
    several (a list of lists)."""
    args = ["oracle", "-rep", rep, "-json", "-"]
    if coarse_mirror is not None:
        args += ["-coarse-mirror", coarse_mirror]
    if start is not None:
        args += ["-start", _points(start)]
    if axis_tol is not None:
        args += ["-axis-tol", repr(float(axis_tol))]
    if not progress:
        args.append("-quiet")
    _, stdout, stderr = run(args + _plugins(plugins), progress=progress)
    an = json.loads(stdout)

    def tables():
        rows = []
        for fp in an.get("fixed_points") or []:
            row = {k: fp.get(k) for k in ("kl", "lambda", "nu", "relevant", "axis_jc", "saddle", "jacobian_asymmetry", "found_from")}
            row.update({f"J_{i}": v for i, v in enumerate(fp["J"])})
            rows.append(row)
        return {"fixed_points": _pandas().DataFrame(rows)}

    return Result(an, tables=tables, stdout=stdout, stderr=stderr)


def flow(checkpoint, J=None, *, axis=False, exact=False, plugins=None):
    """The trained map of a checkpoint (rgflow flow) as a dict
    (docs/formats.md): at J — one point (a number for c = 1, or a list of c
    numbers) or several (a list of lists, or an array of rows) — and, with
    axis, on the physical axis: axis=True for rgflow's grid (J_0 = 0 … 1.6,
    33 points) or axis=(from, to, points). exact adds the exact
    variational map M(J) and both KL values.

    Table "points": one row per point with J_i, Jp_i, f_i, the eigenvalues
    of ∂J′/∂J as complex numbers eig_0, eig_1, … (largest real part first),
    and with exact M_i, kl_learned, kl_exact."""
    args = ["flow", "-checkpoint", os.path.abspath(checkpoint), "-json", "-"]
    if J is not None:
        args += ["-J", _points(J)]
    if axis is not False and axis is not None:
        args.append("-axis")
        if axis is not True:
            lo, hi, n = axis
            args += ["-from", repr(float(lo)), "-to", repr(float(hi)), "-points", str(int(n))]
    if exact:
        args.append("-exact")
    _, stdout, stderr = run(args + _plugins(plugins))
    res = json.loads(stdout)

    def tables():
        rows = []
        for p in res["points"]:
            row = {}
            for key, name in (("J", "J"), ("Jp", "Jp"), ("f", "f"), ("exact_Jp", "M")):
                if key in p:
                    row.update({f"{name}_{i}": v for i, v in enumerate(p[key])})
            for k in ("kl_learned", "kl_exact"):
                if k in p:
                    row[k] = p[k]
            row.update({f"eig_{i}": complex(e["re"], e["im"]) for i, e in enumerate(p["eigenvalues"])})
            rows.append(row)
        return {"points": _pandas().DataFrame(rows)}

    return Result(res, tables=tables, stdout=stdout, stderr=stderr)


def bench(suite, *, quick=False, out=None, config=None, preset=None, parallel=None, resume=False,
          plugins=None, progress=False, **keys):
    """Run a benchmark suite (rgflow bench SUITE) and return its JSON table
    (<suite>.json, docs/formats.md) as a dict, with every table of the
    results directory as a DataFrame: .tables["<suite>"], ["<suite>-runs"]
    (the CSV files) and ["runs"] (runs.jsonl); .dir is the directory.

    Keyword arguments are the suite's configuration keys (the config.toml a
    suite writes lists them), nested as for train: ``reps=["A1", "A1+E"],
    instances=3, train={"hmc": {"beta": 8}}`` or ``train__hmc__beta=8``.
    They go into a suite configuration file over config (a TOML file) and
    over the defaults, or -quick's with quick=True.

    out: the results directory (default: a new temporary directory, kept).
    A suite with a failed run raises RgflowError, whose .result holds the
    tables written all the same. A suite in which every run of some
    configuration is untrusted (exit code 3) is returned with .trusted
    False and an UntrustedWarning."""
    cfg = _experiment(config, keys)
    if out is None:
        out = tempfile.mkdtemp(prefix=f"rgflow-{suite}-")
        os.rmdir(out)  # rgflow makes it
    out = os.path.abspath(out)
    with tempfile.TemporaryDirectory(prefix="rgflow-bench-") as tmp:
        args = ["bench", suite, "-out", out]
        if cfg:
            path = os.path.join(tmp, "suite.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(_toml.dumps(cfg))
            args += ["-config", path]
        if quick:
            args.append("-quick")
        if preset is not None:
            args += ["-preset", preset]
        if parallel is not None:
            args += ["-parallel", str(int(parallel))]
        if resume:
            args.append("-resume")
        if not progress:
            args.append("-quiet")
        try:
            code, stdout, stderr = run(args + _plugins(plugins), progress=progress, ok=(0, EXIT_UNTRUSTED))
        except RgflowError as e:
            if os.path.isdir(out):
                e.result = _bench_result(suite, out, e.exit_code, "", e.stderr)
            raise
    res = _bench_result(suite, out, code, stdout, stderr)
    if code == EXIT_UNTRUSTED:
        warnings.warn(f"rgflow bench {suite}: every run of a configuration is untrusted (see its verdict counts)", UntrustedWarning, stacklevel=2)
    return res


def _bench_result(suite, out, code, stdout, stderr):
    data = {}
    main = os.path.join(out, suite + ".json")
    if os.path.exists(main):
        with open(main, encoding="utf-8") as f:
            data = json.load(f)

    def tables():  # read when first asked for
        pd = _pandas()
        t = {}
        for csv in sorted(glob.glob(os.path.join(out, "*.csv"))):
            t[os.path.splitext(os.path.basename(csv))[0]] = pd.read_csv(csv)
        runs = os.path.join(out, "runs.jsonl")
        if os.path.exists(runs) and os.path.getsize(runs) > 0:
            t["runs"] = pd.read_json(runs, lines=True)
        return t

    return Result(data, tables=tables, exit_code=code, stdout=stdout, stderr=stderr, dir=out)


def config(*, rep=None, preset=None):
    """The full default configuration (rgflow config) as a nested dict."""
    args = ["config"]
    if rep is not None:
        args += ["-rep", rep]
    if preset is not None:
        args += ["-preset", preset]
    _, stdout, _ = run(args)
    return tomllib.loads(stdout)

