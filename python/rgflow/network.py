"""A trained network rebuilt in numpy from its checkpoint.

This is the worked example of docs/formats.md, "The network in a
checkpoint": it reads nothing but the checkpoint's JSON and follows the
rules written there, so that a trained map can be used without rgflow —
in a notebook, a script, another program. Its test checks it against
``rgflow flow`` to 1e-12 for both models, with and without layer norm and
input scale.

    net = Network.from_checkpoint("run.ckpt")
    net.map([0.8])        # J′
    net.flow([0.8])       # f(J) = J′ − J
    net.jacobian([0.8])   # ∂J′/∂J, c × c

Derivatives are exact (forward-mode, a value carried with its derivatives
in the c input directions), not differences: the monotone model's map is
itself a gradient, J′ = J − ∇C, so its Jacobian is C's Hessian.
"""

import json

import numpy as np

__all__ = ["Network"]

LAYER_NORM_EPS = 1e-5  # PyTorch's nn.LayerNorm default, as in rgflow


class Network:
    """A trained map: f, J′ = J + f and ∂J′/∂J at any coupling vector J."""

    def __init__(self, sizes, params, *, model="flow", activation="relu", layer_norm=False, input_scale=1.0):
        self.sizes = [int(n) for n in sizes]
        self.model = model
        # a monotone network needs second derivatives; rgflow runs ReLU as tanh
        self.activation = "tanh" if model == "monotone" and activation == "relu" else activation
        self.layer_norm = bool(layer_norm)
        self.s = float(input_scale)
        p = np.asarray(params, dtype=float)
        self.W, self.b = [], []
        off = 0
        for l in range(len(self.sizes) - 1):
            n_in, n_out = self.sizes[l], self.sizes[l + 1]
            self.W.append(p[off:off + n_out * n_in].reshape(n_out, n_in))
            off += n_out * n_in
            self.b.append(p[off:off + n_out])
            off += n_out
        self.gamma, self.beta = {}, {}
        if self.layer_norm:
            for l in range(1, len(self.sizes) - 1):
                m = self.sizes[l]
                self.gamma[l] = p[off:off + m]
                self.beta[l] = p[off + m:off + 2 * m]
                off += 2 * m
        if off != len(p):
            raise ValueError(f"{len(p)} parameters for a network of sizes {self.sizes} (want {off})")
        if self.model not in ("flow", "monotone"):
            raise ValueError(f"unknown model {model!r}")
        want_out = self.c if model == "flow" else 1
        if self.sizes[-1] != want_out:
            raise ValueError(f"a {model} network of {self.c} couplings has {want_out} outputs, not {self.sizes[-1]}")

    @classmethod
    def from_checkpoint(cls, path):
        """Read a checkpoint written by rgflow train -checkpoint."""
        with open(path, encoding="utf-8") as f:
            ck = json.load(f)
        cfg = ck["config"]
        net = cfg.get("network", {})
        return cls(ck["sizes"], ck["params"], model=cfg.get("model", "flow"),
                   activation=net.get("activation", "relu"), layer_norm=net.get("layer_norm", False),
                   input_scale=net.get("input_scale") or 1.0)

    @property
    def c(self):
        return self.sizes[0]

    def flow(self, J):
        """f(J) = J′ − J."""
        return self._flow_jac(J)[0]

    def map(self, J):
        """J′ = J + f(J)."""
        J = np.asarray(J, dtype=float).reshape(self.c)
        return J + self._flow_jac(J)[0]

    def jacobian(self, J):
        """∂J′/∂J = I + ∂f/∂J (c × c; row i is J′_i)."""
        return np.eye(self.c) + self._flow_jac(J)[1]

    def _flow_jac(self, J):
        J = np.asarray(J, dtype=float).reshape(self.c)
        # x = sJ, with its derivative in the c directions of J
        x = Dual(self.s * J, self.s * np.eye(self.c))
        if self.model == "flow":
            y = self._forward(x)[0]
            return y.v / self.s, y.t / self.s
        g = self._gradient(x)
        return -g.v / self.s, -g.t / self.s

    def _forward(self, x):
        """The network's pass; returns the output and, per hidden layer l,
        the activation's input z_l and the layer norm's (n, 1/s)."""
        L = len(self.W)
        a, zs, norms = x, {}, {}
        for l in range(L):
            z = a.linear(self.W[l], self.b[l])
            if l == L - 1:
                return z, zs, norms
            if self.layer_norm:
                z, norms[l + 1] = _layer_norm(z, self.gamma[l + 1], self.beta[l + 1])
            zs[l + 1] = z
            a = _activation(self.activation, z)[0]

    def _gradient(self, x):
        """∇_x y of the scalar network (the monotone model's ∇C), by the
        reverse pass, carried as duals so its derivative is the Hessian."""
        _, zs, norms = self._forward(x)
        L = len(self.W)
        G = Dual(self.W[L - 1][0], np.zeros((self.sizes[L - 1], self.c)))  # ∂y/∂a_{L−1}
        for l in range(L - 1, 0, -1):
            G = G * _activation(self.activation, zs[l])[1]  # ∂y/∂z_l
            if self.layer_norm:
                n, inv = norms[l]
                w = G * self.gamma[l]
                G = inv * (w - w.mean() - n * (n * w).mean())
            G = G.linear(self.W[l - 1].T)  # ∂y/∂a_{l−1}
        return G


def _layer_norm(z, gamma, beta):
    d = z - z.mean()
    inv = ((d * d).mean() + LAYER_NORM_EPS).rsqrt()
    n = d * inv
    return n * gamma + beta, (n, inv)


def _activation(name, z):
    """σ(z) and σ′(z), both as duals (σ′'s derivative is σ″)."""
    v = z.v
    if name == "relu":
        on = (v > 0).astype(float)
        return z.apply(np.maximum(v, 0), on), Dual(on, np.zeros_like(z.t))
    if name == "tanh":
        t = np.tanh(v)
        d1 = 1 - t * t
        return z.apply(t, d1), z.apply(d1, -2 * t * d1)
    if name == "silu":
        s = 1 / (1 + np.exp(-v))
        d1 = s * (1 + v * (1 - s))
        d2 = s * (1 - s) * (2 + v * (1 - 2 * s))
        return z.apply(v * s, d1), z.apply(d1, d2)
    raise ValueError(f"unknown activation {name!r}")


class Dual:
    """A value v (a vector, or a scalar) with its derivatives t in the c
    input directions (t has one more axis, of length c)."""

    __slots__ = ("v", "t")

    def __init__(self, v, t):
        self.v, self.t = np.asarray(v, dtype=float), np.asarray(t, dtype=float)

    def linear(self, W, b=None):
        v = W @ self.v
        return Dual(v if b is None else v + b, W @ self.t)

    def apply(self, fv, dfv):
        """f(self), given f's value and derivative at self.v."""
        return Dual(fv, dfv[..., None] * self.t)

    def mean(self):
        return Dual(self.v.mean(), self.t.mean(axis=0))

    def rsqrt(self):
        r = 1 / np.sqrt(self.v)
        return self.apply(r, -0.5 * r ** 3)

    @staticmethod
    def _lift(o, like):
        if isinstance(o, Dual):
            return o
        o = np.asarray(o, dtype=float)
        return Dual(o, np.zeros(o.shape + like.t.shape[-1:]))

    def __add__(self, o):
        o = Dual._lift(o, self)
        return Dual(self.v + o.v, self.t + o.t)

    __radd__ = __add__

    def __sub__(self, o):
        o = Dual._lift(o, self)
        return Dual(self.v - o.v, self.t - o.t)

    def __rsub__(self, o):
        return Dual._lift(o, self) - self

    def __mul__(self, o):
        o = Dual._lift(o, self)
        return Dual(self.v * o.v, self.t * o.v[..., None] + o.t * self.v[..., None])

    __rmul__ = __mul__
