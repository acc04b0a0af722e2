"""Tests of the rgflow Python package (make python-test): the experiment
files it writes, the binary it finds, every command against the binary's
own JSON, errors and untrusted runs, and the numpy network against
rgflow flow. They need the built binary (make build) and Debian's
python3-numpy and python3-pandas; without them they skip and say why."""

import json
import math
import os
import subprocess
import tempfile
import tomllib
import unittest
import warnings

import rgflow
from rgflow import _toml

try:
    import numpy as np
    import pandas  # noqa: F401
    MISSING = None
except ImportError as e:
    MISSING = (f"SKIPPED: no {e.name} (Debian: apt-get install python3-numpy python3-pandas; "
               ".ci/run installs them), so the commands and the numpy network are not tested")

try:
    BINARY = rgflow.binary()
    NO_BINARY = None
except FileNotFoundError as e:
    BINARY, NO_BINARY = None, f"SKIPPED: {e}"

NEEDS = MISSING or NO_BINARY


def cli(*args):
    """The binary's own JSON for a command (its -json - output)."""
    out = subprocess.run([BINARY, *args], capture_output=True, text=True)
    if out.returncode not in (0, 3):
        raise AssertionError(f"rgflow {args}: exit {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


class TomlTest(unittest.TestCase):
    def test_values_read_back_the_same(self):
        cfg = {
            "rep": "A1+E", "epochs": 12, "seed": 2**63, "lr": 1e-8, "x": 0.1, "big": 1e300, "neg": -0.0,
            "on": True, "off": False, "list": [1, 2, 3], "words": ["a", 'q"uote', "back\\slash"],
            "odd": 'tab\tnew\nline "q" \\ ünï ✓ \x01', "nan": float("nan"), "inf": float("-inf"),
            "hmc": {"beta": 8.0, "deep": {"er": 1}}, "only": {"tables": {"here": "x"}},
            "weird key": 1, "hidden_by_c": {"5": [64, 64]},
        }
        back = tomllib.loads(_toml.dumps(cfg))
        self.assertTrue(math.isnan(back.pop("nan")))
        want = dict(cfg)
        want.pop("nan")
        self.assertEqual(back, want)
        self.assertEqual(math.copysign(1, back["neg"]), -1.0)

    def test_nested_keys(self):
        got = _toml.nest({"epochs": 3, "hmc__beta": 8, "cd": {"samples": 64}, "hmc": {"dt": 0.1}, "a__b__c": 1})
        self.assertEqual(got, {"epochs": 3, "hmc": {"beta": 8, "dt": 0.1}, "cd": {"samples": 64}, "a": {"b": {"c": 1}}})
        with self.assertRaisesRegex(ValueError, "given twice"):
            _toml.nest({"hmc": {"beta": 1}, "hmc__beta": 2})
        with self.assertRaisesRegex(ValueError, "no empty part"):
            _toml.nest({"hmc__": 1})

    def test_a_file_under_the_arguments(self):
        base = {"epochs": 6, "seed": 3, "hmc": {"beta": 2, "dt": 0.1}}
        self.assertEqual(_toml.merge(base, {"epochs": 4, "hmc": {"beta": 8}}, None),
                         {"epochs": 4, "seed": 3, "hmc": {"beta": 8, "dt": 0.1}})


class BinaryTest(unittest.TestCase):
    def test_rgflow_bin(self):
        old = os.environ.get("RGFLOW_BIN")
        try:
            os.environ["RGFLOW_BIN"] = "/nonexistent/rgflow"
            with self.assertRaisesRegex(FileNotFoundError, "RGFLOW_BIN=/nonexistent/rgflow is not an executable"):
                rgflow.binary()
            if BINARY:
                os.environ["RGFLOW_BIN"] = BINARY
                self.assertEqual(rgflow.binary(), BINARY)
        finally:
            if old is None:
                os.environ.pop("RGFLOW_BIN", None)
            else:
                os.environ["RGFLOW_BIN"] = old


@unittest.skipIf(NEEDS, NEEDS)
class CommandsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="rgflow-pytest-")
        self.addCleanup(self.dir.cleanup)

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_oracle(self):
        an = rgflow.oracle("A1")
        want = cli("oracle", "-rep", "A1", "-json", "-", "-quiet")
        for d in (an, want):
            d.pop("seconds")
        self.assertEqual(dict(an), want)
        self.assertAlmostEqual(an["axis_jc"], 0.81392, delta=1e-5)  # README's table
        fps = an.tables["fixed_points"]
        self.assertEqual(len(fps), len(an["fixed_points"]))
        self.assertEqual(fps["J_0"].iloc[0], an["fixed_points"][0]["J"][0])

    def test_train(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            s = rgflow.train(rep="A1", epochs=200, seed=1)
        want = cli("train", "-rep", "A1", "-epochs", "200", "-seed", "1", "-quiet", "-json", "-")
        for d in (s, want):
            d.pop("seconds_per_epoch")
        self.assertEqual(dict(s), want)
        self.assertIn("jc_median", s)
        self.assertEqual(s.trusted, not s["verdict"])
        self.assertEqual(s.exit_code, 0 if s.trusted else 3)
        untrusted = [w for w in caught if issubclass(w.category, rgflow.UntrustedWarning)]
        self.assertEqual(len(untrusted), 0 if s.trusted else 1)
        h = s.tables["history"]
        self.assertEqual(list(h.columns), ["epoch", "loss", "beta", "acceptance", "root"])
        self.assertEqual(len(h), 200)
        self.assertEqual(h["loss"].iloc[-1], s["history"]["loss"][-1])
        flow = s.tables["flow"]
        self.assertEqual(list(flow.columns), ["j0", "f_0"])
        self.assertEqual(len(flow), len(s["flow"]))

    def test_untrusted_run_is_returned_with_a_warning(self):
        with self.assertWarnsRegex(rgflow.UntrustedWarning, "not to be trusted: .+") as w:
            s = rgflow.train(rep="A1", epochs=4, oracle="off")
        self.assertFalse(s.trusted)
        self.assertEqual(s.exit_code, 3)
        self.assertTrue(s["verdict"])
        self.assertIn(s["verdict"][0], str(w.warning))
        self.assertEqual(len(s.tables["history"]), 4)

    def test_keys_reach_the_configuration(self):
        exp = self.path("base.toml")
        with open(exp, "w") as f:
            f.write("epochs = 6\nseed = 3\n[hmc]\nbeta = 2.0\ndt = 0.002\n")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rgflow.UntrustedWarning)
            s = rgflow.train(config=exp, rep="A1", epochs=4, hmc__beta=4.0, network={"width": 4},
                             optimizer__schedule="constant", oracle="off", checkpoint=self.path("c.ckpt"))
        c = s["config"]
        self.assertEqual((s["epochs"], s["seed"]), (4, 3))
        self.assertEqual((c["hmc"]["beta"], c["hmc"]["dt"], c["network"]["width"], c["optimizer"]["schedule"]),
                         (4.0, 0.002, 4, "constant"))
        self.assertTrue(os.path.exists(self.path("c.ckpt")))
        # resuming: the checkpoint's configuration, a new total of epochs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rgflow.UntrustedWarning)
            r = rgflow.train(resume=self.path("c.ckpt"), epochs=8, oracle="off")
        self.assertEqual((r["epochs"], r["config"]["network"]["width"]), (8, 4))
        with self.assertRaisesRegex(TypeError, "keeps the checkpoint's configuration"):
            rgflow.train(resume=self.path("c.ckpt"), seed=5)

    def test_errors_carry_rgflows_message(self):
        with self.assertRaises(rgflow.RgflowError) as e:
            rgflow.train(rep="A1", epocs=4, hmc__betta=2)
        self.assertEqual(e.exception.exit_code, 1)
        self.assertIn('unknown keys "epocs" (did you mean "epochs"?), "hmc.betta" (did you mean "hmc.beta"?)', str(e.exception))
        with self.assertRaises(rgflow.RgflowError) as e:
            rgflow.eval("A1", [0.8, 0.1], [0.7])
        self.assertEqual((e.exception.exit_code, str(e.exception)), (1, "rgflow eval: -J has 2 values but A1 has c = 1 couplings"))
        with open(self.path("not.ckpt"), "w") as f:
            f.write("{}")
        with self.assertRaisesRegex(rgflow.RgflowError, "is not an rgflow checkpoint"):
            rgflow.flow(self.path("not.ckpt"), [0.8])
        with self.assertRaisesRegex(rgflow.RgflowError, "name a suite first|unknown suite|suite"):
            rgflow.bench("no-such-suite")
        with self.assertRaisesRegex(TypeError, "given twice"):
            rgflow.train(hmc={"beta": 1}, hmc__beta=2)

    def test_eval(self):
        r = rgflow.eval("A1+E", [0.8, 0.1, 0, 0, 0.2], [0.7, 0, 0.1, 0, 0], coarse_mirror="diagonal")
        want = cli("eval", "-rep", "A1+E", "-J", "0.8,0.1,0,0,0.2", "-Jp", "0.7,0,0.1,0,0", "-coarse-mirror", "diagonal", "-json", "-")
        self.assertEqual(dict(r), want)

    def test_bench(self):
        r = rgflow.bench("kl-vs-cd", quick=True, instances=1, out=self.path("b"))
        self.assertEqual(r.dir, self.path("b"))
        self.assertEqual(r["suite"], "kl-vs-cd")
        self.assertTrue(r["smoke_test"])
        self.assertEqual(set(r.tables), {"kl-vs-cd", "kl-vs-cd-runs", "runs"})
        t = r.tables["kl-vs-cd"]
        self.assertTrue((t["instances"] == 1).all())
        self.assertTrue(t["smoke_test"].all())
        self.assertEqual(len(r.tables["runs"]), len(r.tables["kl-vs-cd-runs"]))
        with open(os.path.join(r.dir, "config.toml"), "rb") as f:
            self.assertEqual(tomllib.load(f)["instances"], 1)


@unittest.skipIf(NEEDS, NEEDS)
class NetworkTest(unittest.TestCase):
    """The numpy network of docs/formats.md agrees with rgflow flow to
    1e-12, for both models, with and without layer norm and input scale."""

    POINTS = {1: [[0.8], [0.3], [-1.2]],
              5: [[0.8, 0, 0, 0, 0], [0.3, -0.2, 0.5, 0.1, -0.4], [-1.1, 0.7, 0.05, -0.3, 0.2]]}

    def check(self, rep, **keys):
        with tempfile.TemporaryDirectory() as d:
            ck = os.path.join(d, "run.ckpt")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", rgflow.UntrustedWarning)
                rgflow.train(rep=rep, epochs=6, trajectories=8, oracle="off", checkpoint=ck, **keys)
            net = rgflow.Network.from_checkpoint(ck)
            c = net.c
            got = rgflow.flow(ck, self.POINTS[c])
        for p in got["points"]:
            J = p["J"]
            np.testing.assert_allclose(net.flow(J), p["f"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(net.map(J), p["Jp"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(net.jacobian(J), p["jacobian"], rtol=0, atol=1e-12)
            # and the numpy derivative is the numpy map's (central differences)
            h = 1e-6
            fd = np.array([(net.map(J + h * e) - net.map(J - h * e)) / (2 * h) for e in np.eye(c)]).T
            np.testing.assert_allclose(net.jacobian(J), fd, rtol=0, atol=1e-6)
        self.assertEqual(got["activation"], net.activation)
        return net

    def test_flow_model(self):
        self.check("A1+E", network={"depth": 2, "width": 8})

    def test_flow_model_layer_norm_input_scale(self):
        self.check("A1+E", network={"depth": 2, "width": 8, "activation": "tanh", "layer_norm": True, "input_scale": 2})

    def test_flow_model_silu(self):
        self.check("A1", network={"activation": "silu"})

    def test_monotone_model(self):
        net = self.check("A1+E", model="monotone", network={"depth": 2, "width": 8})
        self.assertEqual(net.activation, "tanh")  # relu runs as tanh
        # the monotone map's Jacobian is symmetric (a Hessian)
        Jac = net.jacobian(self.POINTS[5][1])
        np.testing.assert_allclose(Jac, Jac.T, rtol=0, atol=1e-12)

    def test_monotone_model_layer_norm_input_scale(self):
        self.check("A1+E", model="monotone", network={"depth": 2, "width": 8, "activation": "silu",
                                                      "layer_norm": True, "input_scale": 2})

    def test_flow_table(self):
        with tempfile.TemporaryDirectory() as d:
            ck = os.path.join(d, "run.ckpt")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", rgflow.UntrustedWarning)
                rgflow.train(rep="A1", epochs=20, oracle="off", checkpoint=ck)
            r = rgflow.flow(ck, axis=(0.5, 1.0, 3), exact=True)
            t = r.tables["points"]
            self.assertEqual(list(t.columns), ["J_0", "Jp_0", "f_0", "M_0", "kl_learned", "kl_exact", "eig_0"])
            self.assertEqual(list(t["J_0"]), [0.5, 0.75, 1.0])
            self.assertEqual(t["eig_0"].dtype.kind, "c")
            several = rgflow.flow(ck, [[0.7], [0.8]], axis=True)
            self.assertEqual(len(several["points"]), 2 + 33)
            self.assertEqual(rgflow.flow(ck, 0.8)["points"][0]["J"], [0.8])


if __name__ == "__main__":
    unittest.main()
