"""Check an executed examples/rgflow-tour.ipynb (make notebook): every code
cell ran without an error, the figures are there, and the values its last
cell prints are what they must be — the exact map's documented values,
the numpy network agreeing with rgflow, every training and suite run
finished. The trained estimates are only checked to be finite and, for
A1, in the broad interval of the engine's own smoke test: short runs
scatter, and nothing here is tuned toward the exact J_c.

    python3 examples/check_notebook.py EXECUTED.ipynb
"""

import json
import math
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    problems = []
    check, images = None, 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("execution_count") is None:
            problems.append(f"code cell {i} did not run")
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "error":
                problems.append(f"code cell {i} failed: {out['ename']}: {out['evalue']}")
            elif kind == "stream":
                text = "".join(out["text"])
                if "Traceback" in text:
                    problems.append(f"code cell {i} printed a traceback:\n{text}")
                for line in text.splitlines():
                    if line.startswith("CHECK "):
                        check = json.loads(line[len("CHECK "):])
            elif kind in ("display_data", "execute_result") and "image/png" in out.get("data", {}):
                images += 1
    if images < 4:
        problems.append(f"{images} figures, want 4")
    if check is None:
        problems.append("the last cell printed no CHECK line")
    else:
        problems += values(check)
    if problems:
        print(f"{path}: {len(problems)} problems", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print(f"{path}: every cell ran, {images} figures, the values check: {json.dumps(check)}")
    return 0


def values(c):
    out = []

    def near(name, got, want, tol):
        if not (isinstance(got, (int, float)) and abs(got - want) <= tol):
            out.append(f"{name} = {got}, want {want} ± {tol}")

    def finite(name, got):
        if not (isinstance(got, (int, float)) and math.isfinite(got)):
            out.append(f"{name} = {got}, want a finite number")

    # the exact variational map's values (README's table)
    near("the exact A1 map's axis J_c", c["oracle_axis_jc"]["A1"], 0.81392, 1e-4)
    near("the exact A1+E map's axis J_c", c["oracle_axis_jc"]["A1+E"], 0.40148, 1e-3)
    # M(J*) = J* at the exact A1 map's fixed point
    near("|M(J*) − J*|", c["a1_exact_fixed_point_error"], 0, 1e-6)
    near("numpy network against rgflow flow", c["numpy_vs_rgflow"], 0, 1e-12)
    # the engine's own A1 smoke test's interval (engine TestTrainA1Smoke)
    for k in ("jc_median", "axis_jc"):
        if not (isinstance(c["a1"][k], (int, float)) and 0.70 < c["a1"][k] < 0.95):
            out.append(f"A1 {k} = {c['a1'][k]}, outside the smoke test's (0.70, 0.95)")
    finite("A1 λ", c["a1"]["lambda"])
    finite("A1 variational gap", c["a1"]["variational_gap"])
    # A1+E's short run and the suite: finished, whatever they estimate
    # (a short run may find no axis coupling: its verdict says so)
    if c["a1e"]["epochs"] != 1500 or c["a1e"]["history"] != 1500:
        out.append(f"A1+E trained {c['a1e']['history']} of {c['a1e']['epochs']} epochs, want 1500")
    if c["a1_flow_points"] != 65 or c["a1e_flow_points"] != 33:
        out.append(f"flow tables of {c['a1_flow_points']} and {c['a1e_flow_points']} points, want 65 and 33")
    for rep in ("A1", "A1+E"):
        got = c["bvd_axis"].get(rep)
        if got is None or got["instances"] != 3 or got["failed"] != 0:
            out.append(f"bias-vs-dimension {rep}: {got}, want 3 instances and none failed")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: check_notebook.py EXECUTED.ipynb")
    sys.exit(main(sys.argv[1]))
