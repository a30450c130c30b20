"""A generated class for the similarity tests and benchmark: independent solutions and disguised copies.

Every solution is composed from building blocks written here (nothing is taken from elsewhere):
each exercise has templates per style (NumPy, pure-Python loops, PyTorch) made of *slots*, each
slot a few interchangeable ways of writing one step. A student is a *design* (one choice per
slot, which helpers they write) rendered in a *surface* (names, indentation, spacing, comments,
docstrings, `a += b` or `a = a + b`, loops or comprehensions, function order, .py or notebook).

Independent students get independent designs, drawn so that two of them never share most of an
exercise's building blocks (they differ in at least half the slots of every exercise): two
people who write the same function step for step are what the detector is for, so the class
models independence as "different choices". A copy replays its original's design in a new
surface: that is exactly what the disguises of issue 16 change.

    generate(folder, independent=40, originals=5, copies_each=2) -> ClassKey
"""

from __future__ import annotations

import io
import json
import random
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path

EXERCISES = ["relu", "sigmoid", "sigmoid_grad", "softmax", "cross_entropy", "adam_step", "minibatches",
             "mlp_forward"]
#: long enough to judge (the rest are one or two lines: relu, sigmoid_grad)
JUDGED = ["sigmoid", "softmax", "cross_entropy", "adam_step", "minibatches", "mlp_forward"]
STYLES = ["numpy", "loops", "torch", "mixed"]
DISGUISES = ["rename", "reorder", "comments", "whitespace", "augassign", "comprehension", "notebook"]
#: the disguises of the 2 copies of each of the 5 originals (the last original: all of them, twice)
COPY_PLAN = [
    (("rename",), ("reorder", "notebook")),
    (("comments",), ("whitespace",)),
    (("augassign",), ("comprehension",)),
    (("notebook",), ("rename", "reorder", "comments")),
    (tuple(DISGUISES), tuple(DISGUISES)),
]
#: the style of each original (the augassign/comprehension copies need loops to disguise)
ORIGINAL_STYLES = ["numpy", "torch", "loops", "mixed", "loops"]

NAMES = {
    "arr": ["arr", "a", "xs", "values", "inp"],
    "mx": ["mx", "m", "row_max", "peak", "top"],
    "shifted": ["shifted", "s", "centred", "zs", "diff"],
    "exps": ["exps", "e", "ex", "numer", "expz"],
    "total": ["total", "denom", "acc", "norm", "z_sum"],
    "out": ["out", "result", "res", "probs", "y"],
    "rows": ["rows", "mat", "grid", "data", "tbl"],
    "row": ["row", "r", "line", "vec", "cur"],
    "i": ["i", "k", "idx", "n_i", "ii"],
    "j": ["j", "col", "jj", "c", "q"],
    "val": ["val", "v", "item", "elem", "t"],
    "eps": ["eps", "tiny", "EPS", "small", "floor"],
    "clipped": ["clipped", "pc", "safe", "p_ok", "bounded"],
    "loss": ["loss", "ce", "total_loss", "cost", "err"],
    "m_new": ["m_new", "m1", "mom", "first", "mt"],
    "v_new": ["v_new", "v1", "sec", "second", "vt"],
    "m_hat": ["m_hat", "mh", "m_corr", "mc", "m_unb"],
    "v_hat": ["v_hat", "vh", "v_corr", "vc", "v_unb"],
    "step": ["step", "upd", "delta", "change", "dp"],
    "new_param": ["new_param", "p", "theta", "updated", "w"],
    "rng": ["rng", "gen", "random_state", "rs", "g"],
    "order": ["order", "perm", "idx_all", "shuffled", "ind"],
    "batches": ["batches", "out_batches", "chunks", "parts", "groups"],
    "start": ["start", "lo", "begin", "pos", "offset"],
    "hidden": ["hidden", "h", "a1", "layer1", "act"],
    "pre": ["pre", "z1", "lin", "net", "u"],
    "sig": ["sig", "s_", "sx", "sv", "sg"],
    "tensor": ["tensor", "tz", "tt", "xt", "ten"],
    "A": ["A", "left", "P", "m1_", "lhs"],
    "B": ["B", "right", "Q", "m2_", "rhs"],
    "C": ["C", "prod", "R", "m3_", "res_m"],
    "h_exp": ["_stable_exp", "safe_exp", "exp_shifted", "_sexp", "shifted_exp"],
    "h_matmul": ["_matmul", "matmul", "mat_mul", "_dot2", "mm"],
    "h_clip": ["_clip", "clip_probs", "safe_probs", "_bound", "squash"],
    "h_ema": ["_ema", "moving_avg", "blend", "_mix", "running"],
}


@dataclass
class Surface:
    """How a design is written down: everything a disguise changes."""

    names: dict[str, str]
    indent: str = "    "
    spacing: str = "normal"        # normal | compact | spread
    blank_lines: bool = False      # a blank line between statements
    comments: bool = False
    docstrings: bool = False
    augassign: bool = True         # `a += b` (else `a = a + b`)
    comprehension: bool = True     # comprehensions (else loops with append / +=)
    order: list[str] = field(default_factory=list)
    notebook: bool = False


class Composer:
    """Renders one student's functions; records (or replays) the design's choices."""

    def __init__(self, rng: random.Random, surface: Surface, design: dict[str, int] | None = None) -> None:
        self.rng = rng
        self.surface = surface
        self.replay = design is not None
        self.design: dict[str, int] = dict(design or {})
        self.helpers: dict[str, list[str]] = {}

    def pick(self, key: str, options: list):
        if key not in self.design:
            assert not self.replay, f"a copy made a choice its original did not: {key}"
            self.design[key] = self.rng.randrange(len(options))
        return options[self.design[key]]

    def n(self, role: str) -> str:
        return self.surface.names[role]

    def f(self, template: str) -> list[str]:
        """A template's lines with the names filled in ({role}); none for an empty template."""
        return template.format_map(_Names(self)).split("\n") if template else []

    def comment(self, text: str) -> list[str]:
        return [f"# {text}"] if self.surface.comments else []

    def acc(self, target: str, op: str, expr: str) -> str:
        return f"{target} {op}= {expr}" if self.surface.augassign else f"{target} = {target} {op} ({expr})"

    def build_list(self, target: str, elt: str, loops: list[tuple[str, str]], cond: str | None = None) -> list[str]:
        if self.surface.comprehension:
            fors = " ".join(f"for {var} in {it}" for var, it in loops)
            return [f"{target} = [{elt} {fors}{f' if {cond}' if cond else ''}]"]
        lines, depth = [f"{target} = []"], 0
        for var, it in loops:
            lines.append("    " * depth + f"for {var} in {it}:")
            depth += 1
        if cond:
            lines.append("    " * depth + f"if {cond}:")
            depth += 1
        lines.append("    " * depth + f"{target}.append({elt})")
        return lines

    def build_sum(self, target: str, elt: str, loops: list[tuple[str, str]]) -> list[str]:
        if self.surface.comprehension:
            fors = " ".join(f"for {var} in {it}" for var, it in loops)
            return [f"{target} = sum({elt} {fors})"]
        lines, depth = [f"{target} = 0.0"], 0
        for var, it in loops:
            lines.append("    " * depth + f"for {var} in {it}:")
            depth += 1
        lines.append("    " * depth + self.acc(target, "+", elt))
        return lines

    def helper(self, role: str, body: list[str], signature: str) -> str:
        """Use helper `role` (written once per student) and return its name."""
        name = self.n(role)
        if role not in self.helpers:
            self.helpers[role] = [f"def {name}({signature}):", *["    " + line for line in body]]
        return name


class _Names(dict):
    def __init__(self, composer: Composer) -> None:
        super().__init__()
        self.composer = composer

    def __missing__(self, key: str) -> str:
        return self.composer.n(key)


# --------------------------------------------------------------------------- the exercises

def relu(c: Composer, style: str) -> list[str]:
    if style == "loops":
        return _format(c, c.pick("relu.loops", [
            ["return np.array([max(0.0, {val}) for {val} in np.ravel(x)]).reshape(np.shape(x))"],
            ["return np.maximum(0, x)"],
        ]))
    return _format(c, c.pick("relu." + ("torch" if style == "torch" else "numpy"), [
        ["return np.maximum(0, x)"], ["return np.maximum(0, x)"], ["return np.maximum(x, 0)"],
        ["return np.maximum(0, x)"], ["return x * (x > 0)"], ["return np.where(x > 0, x, 0.0)"],
    ]))


def sigmoid_grad(c: Composer, style: str) -> list[str]:
    return _format(c, c.pick("sigmoid_grad.all", [
        ["{sig} = sigmoid(x)", "return {sig} * (1 - {sig})"],
        ["{sig} = sigmoid(x)", "return {sig} - {sig} ** 2"],
        ["return sigmoid(x) * (1.0 - sigmoid(x))"],
    ]))


def sigmoid(c: Composer, style: str) -> list[str]:
    if style == "torch":
        return _format(c, [
            c.pick("sigmoid.t.in", ["{tensor} = torch.as_tensor(x, dtype=torch.float64)",
                                    "{tensor} = torch.tensor(np.asarray(x, dtype=float))",
                                    "{tensor} = torch.from_numpy(np.array(x, dtype=np.float64))"]),
            c.pick("sigmoid.t.pos", ["{pos} = {tensor} >= 0", "{pos} = torch.ge({tensor}, 0)",
                                     "{pos} = ~({tensor} < 0)"]),
            c.pick("sigmoid.t.neg", ["{exps} = torch.exp(-torch.abs({tensor}))",
                                     "{exps} = (-{tensor}.abs()).exp()",
                                     "{exps} = torch.exp(torch.minimum({tensor}, -{tensor}))"]),
            c.pick("sigmoid.t.out", [
                "{out} = torch.where({pos}, 1 / (1 + {exps}), {exps} / (1 + {exps}))",
                "{out} = torch.where({pos}, (1 + {exps}).reciprocal(), {exps} * (1 + {exps}).reciprocal())",
                "{total} = 1.0 + {exps}\n{out} = torch.where({pos}, 1.0 / {total}, {exps} / {total})"]),
            c.pick("sigmoid.t.ret", ["return {out}.numpy()", "return {out}.detach().cpu().numpy()",
                                     "return np.asarray({out})"]),
        ])
    if style == "loops":
        body = [c.pick("sigmoid.l.flat", ["{arr} = np.asarray(x, dtype=float).ravel()",
                                          "{arr} = np.array(x, dtype=float).reshape(-1)",
                                          "{arr} = np.asarray(x, dtype=float).flatten()"])]
        body += c.pick("sigmoid.l.clip", [[], ["{arr} = np.clip({arr}, -700.0, 700.0)"],
                                          ["{arr} = np.nan_to_num({arr})"]])
        body += c.pick("sigmoid.l.fill", [["{out} = np.empty_like({arr})"], ["{out} = np.zeros({arr}.shape)"],
                                          ["{out} = np.zeros(len({arr}))"]])
        loop = c.pick("sigmoid.l.loop", ["for {i} in range(len({arr})):\n    {val} = {arr}[{i}]",
                                         "for {i}, {val} in enumerate({arr}):"])
        body += [loop]
        branch = c.pick("sigmoid.l.branch", [
            "    if {val} >= 0:\n        {out}[{i}] = 1.0 / (1.0 + math.exp(-{val}))\n    else:\n"
            "        {exps} = math.exp({val})\n        {out}[{i}] = {exps} / (1.0 + {exps})",
            "    if {val} < 0:\n        {exps} = math.exp({val})\n        {out}[{i}] = {exps} / ({exps} + 1)\n"
            "    else:\n        {out}[{i}] = 1 / (math.exp(-{val}) + 1)",
            "    {exps} = math.exp(-abs({val}))\n    {out}[{i}] = 1 / (1 + {exps}) if {val} >= 0 else {exps} / (1 + {exps})",
        ])
        body += [branch]
        body += c.pick("sigmoid.l.ret", [["return {out}.reshape(np.shape(x))"],
                                         ["return {out}.reshape(np.asarray(x).shape)"],
                                         ["{out} = {out}.reshape(np.shape(x))", "return {out}"]])
        return _format(c, body)
    body = [c.pick("sigmoid.n.in", ["{arr} = np.asarray(x, dtype=float)", "{arr} = np.array(x, dtype=np.float64)",
                                    "{arr} = np.asarray(x).astype(float)"])]
    body += c.pick("sigmoid.n.clip", [[], ["{arr} = np.clip({arr}, -500, 500)"], ["{arr} = np.nan_to_num({arr})"],
                                      ["assert np.all(np.isfinite({arr}))"]])
    body += c.pick("sigmoid.n.shape", [[], ["{shifted} = {arr}.shape", "{arr} = {arr}.reshape(-1)"],
                                       ["{arr} = np.atleast_1d({arr})"]])
    body += c.pick("sigmoid.n.core", [
        ["{out} = np.empty_like({arr})", "{pos} = {arr} >= 0",
         "{out}[{pos}] = 1.0 / (1.0 + np.exp(-{arr}[{pos}]))",
         "{exps} = np.exp({arr}[~{pos}])", "{out}[~{pos}] = {exps} / (1.0 + {exps})"],
        ["{exps} = np.exp(-np.abs({arr}))",
         "{out} = np.where({arr} >= 0, 1 / (1 + {exps}), {exps} / (1 + {exps}))"],
        ["{out} = np.exp(-np.logaddexp(0, -{arr}))"],
        ["{exps} = np.exp(np.minimum({arr}, 0))", "{total} = 1 + np.exp(-np.abs({arr}))",
         "{out} = {exps} / {total}"],
        ["{out} = 0.5 * (1 + np.tanh(0.5 * {arr}))"],
    ])
    body += c.pick("sigmoid.n.ret", [["return {out}"], ["return {out}.astype(float)"],
                                     ["return np.asarray({out}, dtype=float)"]])
    return _format(c, body)


def _format(c: Composer, parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        out += c.f(part)
    return out


def softmax(c: Composer, style: str) -> list[str]:
    if style == "torch":
        parts = [c.pick("softmax.t.in", ["{tensor} = torch.as_tensor(z, dtype=torch.float64)",
                                         "{tensor} = torch.tensor(z, dtype=torch.float64)",
                                         "{tensor} = torch.from_numpy(np.asarray(z, dtype=np.float64))"]),
                 c.pick("softmax.t.max", ["{tensor} = {tensor} - {tensor}.max(dim=-1, keepdim=True).values",
                                          "{tensor} = {tensor} - torch.amax({tensor}, dim=-1, keepdim=True)",
                                          "{mx}, _ = torch.max({tensor}, dim=-1, keepdim=True)\n{tensor} = {tensor} - {mx}"]),
                 c.pick("softmax.t.exp", ["{exps} = torch.exp({tensor})", "{exps} = {tensor}.exp()",
                                          "{exps} = torch.pow(math.e, {tensor})"]),
                 c.pick("softmax.t.sum", ["{total} = {exps}.sum(dim=-1, keepdim=True)",
                                          "{total} = torch.sum({exps}, -1, keepdim=True)",
                                          "{total} = {exps}.sum(-1).unsqueeze(-1)"]),
                 c.pick("softmax.t.ret", ["return ({exps} / {total}).numpy()",
                                          "return torch.div({exps}, {total}).detach().numpy()",
                                          "{out} = {exps} / {total}\nreturn {out}.cpu().numpy()"])]
        return _format(c, parts)
    if style == "loops":
        parts = [c.pick("softmax.l.in", ["{arr} = np.asarray(z, dtype=float)", "{arr} = np.array(z, dtype=float)"]),
                 c.pick("softmax.l.rows", ["{rows} = {arr}.reshape(-1, {arr}.shape[-1])",
                                           "{rows} = np.atleast_2d({arr})",
                                           "{rows} = {arr}.reshape((-1, {arr}.shape[-1]))"]),
                 c.pick("softmax.l.out", ["{out} = np.zeros_like({rows})", "{out} = np.empty({rows}.shape)",
                                          "{out} = np.zeros({rows}.shape, dtype=float)"]),
                 c.pick("softmax.l.loop", ["for {i} in range(len({rows})):\n    {row} = {rows}[{i}]",
                                           "for {i}, {row} in enumerate({rows}):",
                                           "for {i} in range({rows}.shape[0]):\n    {row} = list({rows}[{i}])"])]
        body = _format(c, parts)
        maximum = c.pick("softmax.l.max", ["    {mx} = max({row})",
                                           "    {mx} = {row}[0]\n    for {val} in {row}:\n        if {val} > {mx}:\n            {mx} = {val}",
                                           "    {mx} = sorted({row})[-1]"])
        body += c.f(maximum)
        body += ["    " + line for line in c.build_list(c.n("exps"), f"math.exp({c.n('val')} - {c.n('mx')})",
                                                       [(c.n("val"), c.n("row"))])]
        total = c.pick("softmax.l.sum", ["acc", "builtin", "fsum"])
        if total == "acc":
            body += ["    " + line for line in c.build_sum(c.n("total"), c.n("val"), [(c.n("val"), c.n("exps"))])]
        else:
            body += c.f("    {total} = sum({exps})" if total == "builtin" else "    {total} = math.fsum({exps})")
        body += c.f(c.pick("softmax.l.fill", [
            "    for {j} in range(len({exps})):\n        {out}[{i}, {j}] = {exps}[{j}] / {total}",
            "    {out}[{i}] = [{val} / {total} for {val} in {exps}]",
            "    {out}[{i}, :] = np.array({exps}) / {total}"]))
        body += c.f(c.pick("softmax.l.ret", ["return {out}.reshape({arr}.shape)", "return {out}.reshape(np.shape(z))"]))
        return body
    parts = [c.pick("softmax.n.in", ["{arr} = np.asarray(z, dtype=float)", "{arr} = np.array(z, dtype=np.float64)",
                                     "{arr} = np.atleast_1d(z).astype(float)"]),
             c.pick("softmax.n.max", ["{mx} = np.max({arr}, axis=-1, keepdims=True)",
                                      "{mx} = {arr}.max(axis=-1, keepdims=True)",
                                      "{mx} = np.amax({arr}, axis=-1)[..., np.newaxis]",
                                      "{mx} = np.expand_dims({arr}.max(-1), -1)"]),
             c.pick("softmax.n.exp", ["{exps} = np.exp({arr} - {mx})", "{shifted} = {arr} - {mx}\n{exps} = np.exp({shifted})",
                                      "{exps} = np.exp(np.subtract({arr}, {mx}))"]),
             c.pick("softmax.n.sum", ["{total} = np.sum({exps}, axis=-1, keepdims=True)",
                                      "{total} = {exps}.sum(axis=-1, keepdims=True)",
                                      "{total} = np.expand_dims(np.sum({exps}, axis=-1), axis=-1)",
                                      "{total} = np.einsum('...i->...', {exps})[..., None]"]),
             c.pick("softmax.n.ret", ["return {exps} / {total}", "return np.divide({exps}, {total})",
                                      "{out} = {exps} * (1.0 / {total})\nreturn {out}",
                                      "{out} = {exps} / {total}\nassert np.allclose({out}.sum(axis=-1), 1)\nreturn {out}"])]
    if c.pick("softmax.n.helper", [False, False, True]):
        name = c.helper("h_exp", c.f("{mx} = np.max({arr}, axis=-1, keepdims=True)\nreturn np.exp({arr} - {mx})"),
                        c.n("arr"))
        parts = [parts[0], f"{{exps}} = {name}({{arr}})", parts[3], parts[4]]
    return _format(c, parts)


def cross_entropy(c: Composer, style: str) -> list[str]:
    if style == "torch":
        return _format(c, [
            c.pick("ce.t.in", ["{tensor} = torch.as_tensor(p, dtype=torch.float64)",
                               "{tensor} = torch.tensor(np.asarray(p, dtype=float))",
                               "{tensor} = torch.from_numpy(np.array(p, dtype=np.float64))"]),
            c.pick("ce.t.y", ["{arr} = torch.as_tensor(y, dtype=torch.float64)", "{arr} = torch.tensor(y).double()",
                              "{arr} = torch.from_numpy(np.asarray(y, dtype=np.float64))"]),
            c.pick("ce.t.guard", ["", "assert {tensor}.shape == {arr}.shape", "{tensor} = {tensor}.reshape({arr}.shape)",
                                  "{arr} = {arr}.to({tensor}.dtype)"]),
            c.pick("ce.t.clip", ["{clipped} = {tensor}.clamp(min=1e-12)", "{clipped} = torch.clamp({tensor}, 1e-12, 1.0)",
                                 "{clipped} = torch.maximum({tensor}, torch.tensor(1e-12, dtype=torch.float64))"]),
            c.pick("ce.t.loss", ["{loss} = -({arr} * torch.log({clipped})).sum()",
                                 "{loss} = -torch.sum({arr} * {clipped}.log())",
                                 "{loss} = torch.sum(-{arr} * torch.log({clipped}))"]),
            c.pick("ce.t.ret", ["return {loss}.item()", "return float({loss})", "return {loss}.detach().item()"]),
        ])
    if style == "loops":
        body = _format(c, [
            c.pick("ce.l.eps", ["{eps} = 1e-12", "{eps} = 1e-15", "{eps} = 10 ** -12"]),
            c.pick("ce.l.in", ["{rows} = np.atleast_2d(np.asarray(p, dtype=float))\n{arr} = np.atleast_2d(np.asarray(y, dtype=float))",
                               "{rows} = np.asarray(p, dtype=float).reshape(-1, np.shape(p)[-1])\n{arr} = np.asarray(y, dtype=float).reshape({rows}.shape)"]),
        ])
        body += c.f(c.pick("ce.l.guard", ["", "if {rows}.size == 0:\n    return 0.0", "assert {rows}.shape == {arr}.shape",
                                           "if {rows}.shape != {arr}.shape:\n    raise ValueError('shapes differ')"]))
        pair = c.pick("ce.l.pairs", ["zip", "index"])
        term = c.pick("ce.l.term", ["-{a} * math.log(max({b}, {eps}))", "{a} * -math.log({b} + {eps})",
                                    "-{a} * math.log(min(max({b}, {eps}), 1.0))"])
        if pair == "zip":
            elt = term.format(a=c.n("val"), b=c.n("j"), eps=c.n("eps"))
            body += c.build_sum(c.n("loss"), elt, [(f"{c.n('row')}, {c.n('out')}", f"zip({c.n('arr')}, {c.n('rows')})"),
                                                   (f"{c.n('val')}, {c.n('j')}", f"zip({c.n('row')}, {c.n('out')})")])
        else:
            elt = term.format(a=f"{c.n('arr')}[{c.n('i')}, {c.n('j')}]", b=f"{c.n('rows')}[{c.n('i')}, {c.n('j')}]",
                              eps=c.n("eps"))
            body += c.build_sum(c.n("loss"), elt, [(c.n("i"), f"range({c.n('rows')}.shape[0])"),
                                                   (c.n("j"), f"range({c.n('rows')}.shape[1])")])
        body += c.f(c.pick("ce.l.ret", ["return {loss}", "return float({loss})"]))
        return body
    parts = [c.pick("ce.n.in", ["{arr} = np.asarray(p, dtype=float)", "{arr} = np.array(p, dtype=np.float64)",
                                "{arr} = np.asarray(p).astype(np.float64)"]),
             c.pick("ce.n.guard", ["", "assert {arr}.shape == np.shape(y)", "y = np.asarray(y, dtype=float)",
                                   "if {arr}.shape != np.shape(y):\n    raise ValueError('y and p differ in shape')"]),
             c.pick("ce.n.eps", ["{eps} = 1e-12", "{eps} = np.finfo(float).tiny", "{eps} = 1e-15"]),
             c.pick("ce.n.clip", ["{clipped} = np.clip({arr}, {eps}, 1.0)", "{clipped} = np.maximum({arr}, {eps})",
                                  "{clipped} = {arr} + {eps}", "{clipped} = np.where({arr} > {eps}, {arr}, {eps})"]),
             c.pick("ce.n.loss", ["return -np.sum(y * np.log({clipped}))", "return float(-(y * np.log({clipped})).sum())",
                                  "{loss} = -np.sum(np.multiply(y, np.log({clipped})))\nreturn float({loss})",
                                  "{loss} = np.sum(y * -np.log({clipped}))\nreturn {loss}"])]
    if c.pick("ce.n.helper", [False, True]):
        name = c.helper("h_clip", c.f("return np.clip({arr}, {eps}, 1.0)"), f"{c.n('arr')}, {c.n('eps')}=1e-12")
        parts[3] = f"{{clipped}} = {name}({{arr}}, {{eps}})"
    return _format(c, parts)


def adam_step(c: Composer, style: str) -> list[str]:
    if style == "loops":
        body = _format(c, [
            c.pick("adam.l.copy", ["{new_param} = np.array(param, dtype=float)\n{m_new} = np.array(m, dtype=float)\n{v_new} = np.array(v, dtype=float)",
                                   "{new_param} = np.asarray(param, dtype=float).copy()\n{m_new} = np.asarray(m, dtype=float).copy()\n{v_new} = np.asarray(v, dtype=float).copy()",
                                   "{new_param}, {m_new}, {v_new} = (np.array(a, dtype=float) for a in (param, m, v))"]),
            c.pick("adam.l.flat", ["{arr} = np.asarray(grad, dtype=float).ravel()", "{arr} = np.asarray(grad, dtype=float).reshape(-1)",
                                   "{arr} = list(np.asarray(grad, dtype=float).flat)"]),
            c.pick("adam.l.corr", ["{m_hat} = 1 - beta1 ** t\n{v_hat} = 1 - beta2 ** t",
                                   "{m_hat} = 1.0 - math.pow(beta1, t)\n{v_hat} = 1.0 - math.pow(beta2, t)",
                                   "{m_hat}, {v_hat} = 1 - beta1 ** t, 1 - beta2 ** t"]),
            c.pick("adam.l.loop", ["for {i} in range(len({arr})):", "for {i}, {val} in enumerate({arr}):",
                                   "for {i} in range(np.size(grad)):"]),
        ])
        g = f"{c.n('arr')}[{c.n('i')}]" if "enumerate" not in body[-1] else c.n("val")
        flat = c.pick("adam.l.index", ["flat", "unravel"])
        at = (lambda name: f"{name}.reshape(-1)[{c.n('i')}]") if flat == "flat" else \
             (lambda name: f"{name}.flat[{c.n('i')}]")
        body += ["    " + line for line in c.f(c.pick("adam.l.m", [
            f"{at('{m_new}')} = beta1 * {at('{m_new}')} + (1 - beta1) * {g}",
            f"{at('{m_new}')} = (1.0 - beta1) * {g} + beta1 * {at('{m_new}')}",
            f"{at('{m_new}')} = {at('{m_new}')} + (1 - beta1) * ({g} - {at('{m_new}')})"]))]
        body += ["    " + line for line in c.f(c.pick("adam.l.v", [
            f"{at('{v_new}')} = beta2 * {at('{v_new}')} + (1 - beta2) * {g} * {g}",
            f"{at('{v_new}')} = beta2 * {at('{v_new}')} + (1.0 - beta2) * {g} ** 2",
            f"{at('{v_new}')} = beta2 * {at('{v_new}')} + (1.0 - beta2) * math.pow({g}, 2)"]))]
        body += ["    " + line for line in c.f(c.pick("adam.l.step", [
            f"{{step}} = lr * ({at('{m_new}')} / {{m_hat}}) / (math.sqrt({at('{v_new}')} / {{v_hat}}) + eps)",
            f"{{step}} = lr * {at('{m_new}')} / {{m_hat}} / (({at('{v_new}')} / {{v_hat}}) ** 0.5 + eps)",
            f"{{val}} = math.sqrt({at('{v_new}')} / {{v_hat}})\n{{step}} = lr / ({{val}} + eps) * {at('{m_new}')} / {{m_hat}}"]))]
        body += ["    " + c.acc(at(c.n("new_param")), "-", c.n("step"))]
        body += c.f(c.pick("adam.l.ret", ["return {new_param}, {m_new}, {v_new}", "return ({new_param}, {m_new}, {v_new})",
                                          "return tuple([{new_param}, {m_new}, {v_new}])"]))
        return body
    if style == "torch":
        return _format(c, [
            c.pick("adam.t.in", ["{tensor} = torch.as_tensor(grad, dtype=torch.float64)",
                                 "{tensor} = torch.tensor(np.asarray(grad, dtype=float))",
                                 "{tensor} = torch.from_numpy(np.array(grad, dtype=np.float64))"]),
            c.pick("adam.t.m", ["{m_new} = beta1 * torch.as_tensor(m, dtype=torch.float64) + (1 - beta1) * {tensor}",
                                "{m_new} = torch.lerp({tensor}, torch.as_tensor(m, dtype=torch.float64), beta1)",
                                "{m_new} = torch.as_tensor(m, dtype=torch.float64).mul(beta1).add({tensor}, alpha=1 - beta1)"]),
            c.pick("adam.t.v", ["{v_new} = beta2 * torch.as_tensor(v, dtype=torch.float64) + (1 - beta2) * {tensor} ** 2",
                                "{v_new} = torch.as_tensor(v, dtype=torch.float64).mul(beta2).addcmul({tensor}, {tensor}, value=1 - beta2)",
                                "{v_new} = torch.add(beta2 * torch.as_tensor(v, dtype=torch.float64), torch.square({tensor}), alpha=1 - beta2)"]),
            c.pick("adam.t.hat", ["{m_hat} = {m_new} / (1 - beta1 ** t)\n{v_hat} = {v_new} / (1 - beta2 ** t)",
                                  "{m_hat} = {m_new}.div(1 - beta1 ** t)\n{v_hat} = {v_new}.div(1 - beta2 ** t)",
                                  "{val} = 1 - beta1 ** t\n{m_hat} = {m_new} / {val}\n{v_hat} = {v_new} / (1 - math.pow(beta2, t))"]),
            c.pick("adam.t.step", ["{step} = lr * {m_hat} / ({v_hat}.sqrt() + eps)",
                                   "{step} = torch.mul({m_hat}, lr) / torch.add(torch.sqrt({v_hat}), eps)",
                                   "{step} = lr * {m_hat} * torch.reciprocal({v_hat}.pow(0.5) + eps)"]),
            c.pick("adam.t.new", ["{new_param} = torch.as_tensor(param, dtype=torch.float64) - {step}",
                                  "{new_param} = torch.sub(torch.as_tensor(param, dtype=torch.float64), {step})",
                                  "{new_param} = torch.tensor(np.asarray(param, dtype=float)).sub_({step})"]),
            c.pick("adam.t.ret", ["return {new_param}.numpy(), {m_new}.numpy(), {v_new}.numpy()",
                                  "return tuple({val}.detach().numpy() for {val} in ({new_param}, {m_new}, {v_new}))",
                                  "return [{val}.numpy() for {val} in ({new_param}, {m_new}, {v_new})]"]),
        ])
    ema = c.pick("adam.n.helper", [False, False, True])
    if ema:
        name = c.helper("h_ema", c.f("return {val} * {arr} + (1 - {val}) * {row}"),
                        f"{c.n('arr')}, {c.n('row')}, {c.n('val')}")
        moments = [f"{{m_new}} = {name}(m, grad, beta1)", f"{{v_new}} = {name}(v, np.square(grad), beta2)"]
    else:
        moments = [c.pick("adam.n.m", ["{m_new} = beta1 * m + (1 - beta1) * grad",
                                       "{m_new} = beta1 * np.asarray(m) + (1.0 - beta1) * np.asarray(grad)",
                                       "{m_new} = m + (1 - beta1) * (grad - m)"]),
                   c.pick("adam.n.v", ["{v_new} = beta2 * v + (1 - beta2) * grad ** 2",
                                       "{v_new} = beta2 * v + (1 - beta2) * np.square(grad)",
                                       "{v_new} = beta2 * v + (1.0 - beta2) * grad * grad"])]
    return _format(c, [
        c.pick("adam.n.in", ["grad = np.asarray(grad, dtype=float)", "param = np.asarray(param, dtype=float)",
                             "grad, param = np.asarray(grad, dtype=float), np.asarray(param, dtype=float)"]),
        *moments,
        c.pick("adam.n.hat", ["{m_hat} = {m_new} / (1 - beta1 ** t)\n{v_hat} = {v_new} / (1 - beta2 ** t)",
                              "{m_hat} = {m_new} / (1.0 - np.power(beta1, t))\n{v_hat} = {v_new} / (1.0 - np.power(beta2, t))",
                              "{val} = 1 - beta1 ** t\n{m_hat} = {m_new} / {val}\n{v_hat} = {v_new} / (1 - beta2 ** t)"]),
        c.pick("adam.n.step", ["{step} = lr * {m_hat} / (np.sqrt({v_hat}) + eps)",
                               "{step} = np.divide(lr * {m_hat}, np.sqrt({v_hat}) + eps)",
                               "{step} = lr * {m_hat} / (np.power({v_hat}, 0.5) + eps)"]),
        c.pick("adam.n.new", ["{new_param} = param - {step}", "{new_param} = np.subtract(param, {step})",
                              "{new_param} = param.copy()\n" + c.acc("{new_param}", "-", "{step}")]),
        c.pick("adam.n.ret", ["return {new_param}, {m_new}, {v_new}", "return ({new_param}, {m_new}, {v_new})"]),
    ])


def minibatches(c: Composer, style: str) -> list[str]:
    shuffle = c.pick("mb.shuffle", [
        "{rng} = np.random.default_rng(seed)\n{order} = {rng}.permutation(n)",
        "{order} = np.arange(n)\nnp.random.default_rng(seed).shuffle({order})",
        "{rng} = np.random.default_rng(seed)\n{order} = np.arange(n)\n{rng}.shuffle({order})",
        "{order} = np.random.default_rng(seed).permutation(np.arange(n))",
    ] if style != "torch" else [
        "{rng} = torch.Generator().manual_seed(seed)\n{order} = torch.randperm(n, generator={rng}).numpy()",
        "torch.manual_seed(seed)\n{order} = torch.randperm(n).tolist()",
        "{order} = torch.randperm(n, generator=torch.Generator().manual_seed(int(seed))).numpy()",
    ])
    body = c.f(c.pick("mb.check", ["", "assert batch_size > 0",
                                   "if batch_size <= 0:\n    raise ValueError('batch_size must be positive')",
                                   "batch_size = int(batch_size)"]))
    body += c.f(c.pick("mb.n", ["", "n = int(n)", "n = operator.index(n)"]))
    body += c.f(shuffle)
    split = c.pick("mb.split", ["range", "while", "array_split"])
    if split == "range":
        body += c.build_list(c.n("batches"), c.pick("mb.slice", [
            f"{c.n('order')}[{c.n('start')}:{c.n('start')} + batch_size]",
            f"list({c.n('order')}[{c.n('start')}:min({c.n('start')} + batch_size, n)])",
            f"np.asarray({c.n('order')}[{c.n('start')}:{c.n('start')} + batch_size])"]),
            [(c.n("start"), c.pick("mb.range", ["range(0, n, batch_size)", "range(0, len({order}), batch_size)".format(order=c.n("order"))]))])
    elif split == "while":
        body += c.f(c.pick("mb.while", [
            "{batches} = []\n{start} = 0\nwhile {start} < n:\n    {batches}.append({order}[{start}:{start} + batch_size])\n"
            "    " + c.acc("{start}", "+", "batch_size"),
            "{batches}, {start} = [], 0\nwhile {start} < len({order}):\n    {i} = min({start} + batch_size, n)\n"
            "    {batches}.append(list({order}[{start}:{i}]))\n    {start} = {i}"]))
    else:
        body += c.f(c.pick("mb.split_n", [
            "{batches} = np.array_split({order}, range(batch_size, n, batch_size))",
            "{i} = -(-n // batch_size)\n{batches} = [{order}[{j} * batch_size:({j} + 1) * batch_size] for {j} in range({i})]"]))
    body += c.f(c.pick("mb.ret", ["return {batches}", "return [np.asarray({val}) for {val} in {batches}]",
                                  "return list({batches})"]))
    return body


def mlp_forward(c: Composer, style: str) -> list[str]:
    if style == "loops":
        matmul = c.helper("h_matmul", c.f(c.pick("mlp.l.helper", [
            "{C} = np.zeros(({A}.shape[0], {B}.shape[1]))\nfor {i} in range({A}.shape[0]):\n"
            "    for {j} in range({B}.shape[1]):\n        for {val} in range({A}.shape[1]):\n"
            "            " + c.acc("{C}[{i}, {j}]", "+", "{A}[{i}, {val}] * {B}[{val}, {j}]") + "\nreturn {C}",
            "{C} = [[0.0] * len({B}[0]) for _ in range(len({A}))]\nfor {i} in range(len({A})):\n"
            "    for {j} in range(len({B}[0])):\n        {C}[{i}][{j}] = sum({A}[{i}][{val}] * {B}[{val}][{j}] for {val} in range(len({B})))\n"
            "return np.array({C})",
            "{C} = np.array([[sum(a * b for a, b in zip({row}, col)) for col in zip(*{B})] for {row} in {A}])\n"
            "return {C}"])), f"{c.n('A')}, {c.n('B')}")
        cast = c.f(c.pick("mlp.l.cast", ["", "b1, b2 = np.asarray(b1, dtype=float), np.asarray(b2, dtype=float)",
                                         "W1 = np.asarray(W1, dtype=float)\nW2 = np.asarray(W2, dtype=float)"]))
        body = cast + c.f(c.pick("mlp.l.in", ["X = np.atleast_2d(np.asarray(X, dtype=float))",
                                              "X = np.asarray(X, dtype=float).reshape(-1, np.shape(W1)[0])",
                                              "X = np.array(X, dtype=float, ndmin=2)"]))
        body += c.f(c.pick("mlp.l.pre", [
            f"{{pre}} = {matmul}(X, np.asarray(W1, dtype=float)) + b1",
            f"{{pre}} = np.asarray({matmul}(X, W1)) + np.asarray(b1)",
            f"{{pre}} = {matmul}(X, W1)\nfor {{i}} in range(len({{pre}})):\n    " + c.acc("{pre}[{i}]", "+", "b1")]))
        body += c.f(c.pick("mlp.l.act", [
            "{hidden} = np.zeros_like({pre})\nfor {i} in range({pre}.shape[0]):\n    for {j} in range({pre}.shape[1]):\n"
            "        {hidden}[{i}, {j}] = max(0.0, {pre}[{i}, {j}])",
            "{hidden} = np.array([[max({val}, 0.0) for {val} in {row}] for {row} in {pre}])",
            "{hidden} = np.array([[1 / (1 + math.exp(-{val})) for {val} in {row}] for {row} in {pre}])",
            "{hidden} = np.array([[{val} if {val} > 0 else 0.0 for {val} in {row}] for {row} in {pre}])",
            "{hidden} = {pre}.copy()\n{hidden}[{hidden} < 0] = 0.0"]))
        body += c.f(c.pick("mlp.l.out", [f"return {matmul}({{hidden}}, np.asarray(W2, dtype=float)) + b2",
                                         f"return np.asarray({matmul}({{hidden}}, W2)) + np.asarray(b2)",
                                         f"{{out}} = {matmul}({{hidden}}, np.asarray(W2, dtype=float))\nreturn {{out}} + b2"]))
        return body
    if style == "torch":
        return _format(c, [
            c.pick("mlp.t.in", ["{tensor} = torch.as_tensor(X, dtype=torch.float64)", "{tensor} = torch.tensor(np.asarray(X, dtype=float))",
                                "{tensor} = torch.from_numpy(np.array(X, dtype=np.float64))"]),
            c.pick("mlp.t.w", ["{A}, {B} = (torch.as_tensor(a, dtype=torch.float64) for a in (W1, W2))",
                               "{A} = torch.as_tensor(W1, dtype=torch.float64)\n{B} = torch.as_tensor(W2, dtype=torch.float64)",
                               "{A} = torch.tensor(np.asarray(W1, dtype=float))\n{B} = torch.tensor(np.asarray(W2, dtype=float))"]),
            c.pick("mlp.t.shape", ["", "{tensor} = {tensor}.reshape(-1, {A}.shape[0])", "{tensor} = torch.atleast_2d({tensor})",
                                   "assert {tensor}.shape[-1] == {A}.shape[0]"]),
            c.pick("mlp.t.pre", ["{pre} = {tensor} @ {A} + torch.as_tensor(b1, dtype=torch.float64)",
                                 "{pre} = torch.matmul({tensor}, {A}).add(torch.as_tensor(b1, dtype=torch.float64))",
                                 "{pre} = torch.addmm(torch.as_tensor(b1, dtype=torch.float64), {tensor}, {A})"]),
            c.pick("mlp.t.act", ["{hidden} = torch.relu({pre})", "{hidden} = {pre}.clamp(min=0)",
                                 "{hidden} = torch.sigmoid({pre})", "{hidden} = torch.where({pre} > 0, {pre}, torch.zeros_like({pre}))"]),
            c.pick("mlp.t.out", ["return ({hidden} @ {B} + torch.as_tensor(b2, dtype=torch.float64)).numpy()",
                                 "{out} = torch.matmul({hidden}, {B}) + torch.as_tensor(b2, dtype=torch.float64)\nreturn {out}.numpy()",
                                 "{out} = torch.nn.functional.linear({hidden}, {B}.T, torch.as_tensor(b2, dtype=torch.float64))\nreturn {out}.detach().numpy()"]),
        ])
    return _format(c, [
        c.pick("mlp.n.in", ["X = np.asarray(X, dtype=float)", "X = np.atleast_2d(X).astype(float)", "X = np.array(X, dtype=np.float64)"]),
        c.pick("mlp.n.pre", ["{pre} = X @ W1 + b1", "{pre} = np.dot(X, W1) + b1", "{pre} = np.matmul(X, W1) + np.asarray(b1)",
                             "{pre} = np.einsum('ij,jk->ik', X, W1) + b1"]),
        c.pick("mlp.n.act", ["{hidden} = np.maximum({pre}, 0)", "{hidden} = {pre} * ({pre} > 0)",
                             "{hidden} = np.where({pre} > 0, {pre}, 0.0)", "{hidden} = np.tanh({pre})",
                             "{hidden} = 1 / (1 + np.exp(-{pre}))"]),
        c.pick("mlp.n.out", ["return {hidden} @ W2 + b2", "return np.dot({hidden}, W2) + b2",
                             "{out} = {hidden} @ W2\n" + c.acc("{out}", "+", "b2") + "\nreturn {out}",
                             "{out} = np.matmul({hidden}, W2) + b2\nreturn {out}"]),
    ])


WRITERS = {"relu": relu, "sigmoid": sigmoid, "sigmoid_grad": sigmoid_grad, "softmax": softmax,
           "cross_entropy": cross_entropy, "adam_step": adam_step, "minibatches": minibatches,
           "mlp_forward": mlp_forward}
SIGNATURES = {"relu": "relu(x)", "sigmoid": "sigmoid(x)", "sigmoid_grad": "sigmoid_grad(x)", "softmax": "softmax(z)",
              "cross_entropy": "cross_entropy(y, p)",
              "adam_step": "adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)",
              "minibatches": "minibatches(n, batch_size, seed)", "mlp_forward": "mlp_forward(X, W1, b1, W2, b2)"}
DOCS = {"relu": "Rectified linear unit.", "sigmoid": "Logistic function, stable for large |x|.",
        "sigmoid_grad": "Derivative of the sigmoid.", "softmax": "Softmax along the last axis.",
        "cross_entropy": "Summed cross-entropy of one-hot targets.", "adam_step": "One Adam update.",
        "minibatches": "Shuffled index batches.", "mlp_forward": "Forward pass of a two-layer MLP."}
COMMENTS = ["compute it step by step", "keep it numerically stable", "vectorised where possible",
            "see the lecture notes", "TODO: check the edge cases", "the main part"]


# --------------------------------------------------------------------------- rendering

def _respace(line: str, mode: str) -> str:
    """A statement line with its tokens re-joined: `compact` (no optional space) or `spread`."""
    if mode == "normal" or not line.strip() or line.lstrip().startswith("#"):
        return line
    indent = line[:len(line) - len(line.lstrip())]
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline)
                  if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                                    tokenize.DEDENT)]
    except (tokenize.TokenError, IndentationError):
        return line
    out = ""
    for previous, token in zip([None, *tokens], tokens, strict=False):
        wordy = lambda t: t is not None and (t.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING))  # noqa: E731
        if previous is None:
            out = token.string
        elif mode == "spread" or (wordy(previous) and wordy(token)):
            out += " " + token.string
        else:
            out += token.string
    return indent + out


def _render_function(name: str, body: list[str], surface: Surface, rng: random.Random) -> list[str]:
    lines = [f"def {SIGNATURES[name]}:"]
    if surface.docstrings:
        lines.append(f'    """{DOCS[name]}"""')
    for k, line in enumerate(body):
        if surface.comments and k % 2 == 0 and line.strip() and not line.lstrip().startswith(("else", "elif")):
            depth = len(line) - len(line.lstrip())
            lines.append("    " + " " * depth + "# " + COMMENTS[(k + len(name)) % len(COMMENTS)])
        lines.append("    " + line)
        if surface.blank_lines and not line.rstrip().endswith(":") and k + 1 < len(body) \
                and not body[k + 1].lstrip().startswith(("else", "elif")):
            lines.append("")
    return lines


def _reindent(line: str, surface: Surface) -> str:
    stripped = line.lstrip(" ")
    depth = (len(line) - len(stripped)) // 4
    return _respace(surface.indent * depth + stripped, surface.spacing)


def render(functions: dict[str, list[str]], helpers: dict[str, list[str]], surface: Surface,
           rng: random.Random, header: str) -> list[tuple[str, list[str]]]:
    """The student's code as (cell kind, lines) blocks in order: imports, helpers, functions."""
    blocks: list[tuple[str, list[str]]] = [("code", [header, "import math", "import operator",
                                                      "import numpy as np", "import torch"])]
    for role in sorted(helpers):
        blocks.append(("code", helpers[role]))
    for name in surface.order:
        lines = _render_function(name, functions[name], surface, rng)
        blocks.append(("code", lines))
    return [(kind, [_reindent(line, surface) for line in lines]) for kind, lines in blocks]


def write_student(path: Path, blocks: list[tuple[str, list[str]]], surface: Surface) -> Path:
    if not surface.notebook:
        target = path.with_suffix(".py")
        text = "\n\n\n".join("\n".join(lines) for _, lines in blocks) + "\n"
        target.write_text(text, encoding="utf-8")
        return target
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Homework\n\nMy solutions."},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": "%matplotlib inline"}]
    for k, (_, lines) in enumerate(blocks):
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                      "source": "\n".join(lines)})
        if k == 2:
            cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                          "source": "print(relu(np.array([-1.0, 2.0])))\nfor _ in range(3):\n    pass"})
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    target = path.with_suffix(".ipynb")
    target.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return target


# --------------------------------------------------------------------------- students

def random_surface(rng: random.Random) -> Surface:
    names = {role: rng.choice(options) for role, options in NAMES.items()}
    names["pos"] = rng.choice(["pos", "mask", "nonneg", "is_pos", "big"])
    order = list(EXERCISES)
    if rng.random() < 0.5:
        rng.shuffle(order)
    return Surface(names=names, indent=rng.choice(["    ", "    ", "  "]), spacing="normal",
                   blank_lines=rng.random() < 0.3, comments=rng.random() < 0.4,
                   docstrings=rng.random() < 0.4, augassign=rng.random() < 0.6,
                   comprehension=rng.random() < 0.6, order=order)


def disguised(surface: Surface, disguises: tuple[str, ...], rng: random.Random) -> Surface:
    new = replace(surface, names=dict(surface.names), order=list(surface.order))
    if "rename" in disguises:
        for role, options in list(NAMES.items()) + [("pos", ["pos", "mask", "nonneg", "is_pos", "big"])]:
            new.names[role] = rng.choice([o for o in options if o != surface.names[role]]) + "_"
    if "reorder" in disguises:
        while new.order == surface.order:
            rng.shuffle(new.order)
    if "comments" in disguises:
        new.comments, new.docstrings = not surface.comments, not surface.docstrings
    if "whitespace" in disguises:
        new.indent = "\t" if surface.indent != "\t" else "    "
        new.spacing = "spread" if surface.spacing != "spread" else "compact"
        new.blank_lines = not surface.blank_lines
    if "augassign" in disguises:
        new.augassign = not surface.augassign
    if "comprehension" in disguises:
        new.comprehension = not surface.comprehension
    if "notebook" in disguises:
        new.notebook = True
    return new


def compose(style: str, surface: Surface, rng: random.Random, design: dict[str, int] | None = None,
            others: list[dict[str, int]] | None = None, tries: int = 2000) -> tuple[Composer, dict[str, list[str]]]:
    """One student's functions. With `others` (the designs of earlier independent students) each
    judged exercise is drawn again until it differs enough from all of theirs."""
    composer = Composer(rng, surface, design)
    functions = {}
    for name in EXERCISES:
        for _ in range(tries):
            saved = dict(composer.design), {k: list(v) for k, v in composer.helpers.items()}
            own = style if style != "mixed" else composer.pick(f"style.{name}", ["numpy", "torch", "loops"])
            functions[name] = WRITERS[name](composer, own)
            if others is None or name not in JUDGED or independent_enough(composer.design, others, name):
                break
            composer.design, composer.helpers = saved
        else:
            raise RuntimeError(f"no {name} independent enough of {len(others or [])} others in {tries} tries")
    return composer, functions


def _distance(a: dict[str, int], b: dict[str, int], exercise: str) -> tuple[int, int]:
    keys = {k for k in a if _belongs(k, exercise)} | {k for k in b if _belongs(k, exercise)}
    return sum(a.get(k) != b.get(k) for k in keys), len(keys)


_PREFIXES = {"cross_entropy": "ce.", "adam_step": "adam.", "minibatches": "mb.", "mlp_forward": "mlp."}


def _belongs(key: str, exercise: str) -> bool:
    return key.startswith(_PREFIXES.get(exercise, exercise + ".")) or key == f"style.{exercise}"


def independent_enough(design: dict[str, int], others: list[dict[str, int]], exercise: str) -> bool:
    """Differs from every other design in at least half the slots of this exercise."""
    for other in others:
        differ, slots = _distance(design, other, exercise)
        if slots and differ * 2 < slots:
            return False
    return True


@dataclass
class ClassKey:
    folder: Path
    students: list[str]
    independent: list[str]
    #: (original, copy, disguises)
    copies: list[tuple[str, str, tuple[str, ...]]]
    files: dict[str, Path]

    def copy_pairs(self) -> set[frozenset[str]]:
        """Every pair that shares an original: original–copy and copy–copy."""
        groups: dict[str, set[str]] = {}
        for original, copy, _ in self.copies:
            groups.setdefault(original, {original}).add(copy)
        return {frozenset((x, y)) for group in groups.values() for x in group for y in group if x < y}


def generate(folder: Path, independent: int = 40, originals: int = 5, copies_each: int = 2,
             seed: int = 16, strict: bool = True) -> ClassKey:
    """Write the class into `folder`. `strict`: enforce `independent_enough` between independent
    students (a large generated class cannot keep it: its designs then repeat by chance)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    designs: list[dict[str, int]] = []
    styles: list[str] = []
    surfaces: list[Surface] = []
    student_names = [f"s{k:04d}" for k in range(independent)]
    wanted_styles = [ORIGINAL_STYLES[k % len(ORIGINAL_STYLES)] for k in range(originals)]
    wanted_styles += [STYLES[k % len(STYLES)] for k in range(independent - originals)]
    files: dict[str, Path] = {}
    for k, name in enumerate(student_names):
        surface = random_surface(rng)
        composer, functions = compose(wanted_styles[k], surface, rng, others=designs if strict else None)
        designs.append(composer.design)
        styles.append(wanted_styles[k])
        surfaces.append(surface)
        blocks = render(functions, composer.helpers, surface, rng, f"# student {name}")
        files[name] = write_student(folder / name, blocks, surface)
    copies: list[tuple[str, str, tuple[str, ...]]] = []
    for k in range(originals):
        plan = COPY_PLAN[k % len(COPY_PLAN)]
        for j in range(copies_each):
            disguises = plan[j % len(plan)]
            copy_name = f"c{k:02d}{j}"
            surface = disguised(surfaces[k], disguises, rng)
            composer, functions = compose(styles[k], surface, rng, designs[k])
            blocks = render(functions, composer.helpers, surface, rng, f"# student {copy_name}")
            files[copy_name] = write_student(folder / copy_name, blocks, surface)
            copies.append((student_names[k], copy_name, disguises))
    return ClassKey(folder, sorted(files), student_names, copies, files)


__all__ = ["generate", "ClassKey", "EXERCISES", "JUDGED", "DISGUISES"]
