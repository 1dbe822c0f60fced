#!/usr/bin/env python3
"""Ground truth for `symopt check`: students' hand-worked solutions with planted errors.

    python3 tests/data/students/make.py [OUTDIR]     (default: this file's folder)

Independent of symopt on purpose: every number is computed here with `decimal` (50 digits) from
this file's own formulas, the way a student works by hand: each written value is rounded by the
student's policy and the next lines compute from the ROUNDED written value.  After a planted error
the student goes on from their own wrong value (error carried forward).  Line numbers in
manifest.json are computed while the files are written.  Deterministic: a rerun rewrites every
file byte for byte.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal as D, getcontext
import json
from pathlib import Path
import re
import sys

getcontext().prec = 50
ONE = D(1)


# --------------------------------------------------------------------------- rounding policies
class Policy:
    """dec: D decimals, never fewer than `sig` significant figures, values ending within `keep`
    decimals written whole; sig: S significant figures."""

    def __init__(self, mode="dec", d=4, sig=3, keep=None):
        self.mode, self.d, self.sig, self.keep = mode, d, sig, keep

    def places(self, x: D) -> int:
        if x == 0:
            return 0
        if self.mode == "sig":
            return self.sig - 1 - x.adjusted()
        if self.keep and x == x.quantize(ONE.scaleb(-self.keep)):
            return max(0, -x.normalize().as_tuple().exponent)
        return max(self.d, self.sig - 1 - x.adjusted())

    def round(self, x: D) -> tuple[D, int]:
        p = self.places(x)
        r = x.quantize(ONE.scaleb(-p), ROUND_HALF_UP)
        if self.mode == "sig" and r != 0 and r.adjusted() != x.adjusted():  # 9.9996 -> 10.00
            p = self.sig - 1 - r.adjusted()
            r = x.quantize(ONE.scaleb(-p), ROUND_HALF_UP)
        return r, p

    def describe(self, lang):
        if self.mode == "sig":
            return {"en": f"(every value rounded to {self.sig} significant figures)",
                    "vi": f"(làm tròn {self.sig} chữ số có nghĩa)"}[lang]
        return {"en": f"(values rounded to {self.d} decimal places)",
                "vi": f"(làm tròn {self.d} chữ số thập phân)"}[lang]


# --------------------------------------------------------------------------- number formatting
class Fmt:
    def __init__(self, comma=None, mult=r" \cdot ", paren="neg", frac=r"\frac", plain=False,
                 root="sqrt", eps="pow"):
        self.comma, self.m, self.paren, self.frac_cmd = comma, mult, paren, frac
        self.plain, self.root, self.eps = plain, root, eps
        self.zeros = False  # keep a written value's trailing zeros (significant figures)
        if mult == "":
            self.paren = "always"  # an implicit product needs its parentheses: 0.2(1.2)

    def n(self, x: D) -> str:
        if x == 0:
            return "0"
        s = format(x if self.zeros else x.normalize(), "f")
        return s.replace(".", self.comma) if self.comma else s

    def p(self, x: D) -> str:
        return f"({self.n(x)})" if x < 0 or (self.paren == "always" and (x != 0 or self.m == "")) else self.n(x)

    def hp(self, x: D, k) -> str:
        """A hyperparameter's power: 0.9^2."""
        return f"{self.hv(x)}^{k}" if len(str(k)) == 1 or self.plain else f"{self.hv(x)}^{{{k}}}"

    def pw(self, x: D, k) -> str:
        base = f"({self.n(x)})" if x < 0 or self.paren == "always" else self.n(x)
        return f"{base}^{k}" if self.plain or len(str(k)) == 1 else f"{base}^{{{k}}}"

    def hv(self, x: D) -> str:
        """A hyperparameter's value: small powers of ten as students write epsilon."""
        if x > 0 and x < D("0.0001") and x == ONE.scaleb(x.adjusted()):
            k = x.adjusted()
            if self.plain or self.eps == "e":
                return f"1e{k}"
            return f"10^{{{k}}}"
        return self.n(x)

    def fr(self, a: str, b: str) -> str:
        if self.plain:
            return f"{_wrap(a)}/{_wrap(b)}"
        return f"{self.frac_cmd}{{{a}}}{{{b}}}"

    def sq(self, a: str) -> str:
        if self.plain:
            return f"√({a})" if self.root == "unicode" else f"sqrt({a})"
        return rf"\sqrt{{{a}}}"

    def root_of(self, x: str, eps: str, where: str) -> str:
        return self.sq(f"{x} + {eps}") if where == "inside" else f"{self.sq(x)} + {eps}"


def _wrap(s: str) -> str:
    atomic = re.fullmatch(r"[0-9.,]+|(sqrt|√)\((?:[^()]|\([^()]*\))*\)|[A-Za-z_0-9]+", s)
    return s if atomic else f"({s})"


def short(*xs) -> bool:
    """Terms a student writes out in an intermediate step: exact, and at most 6 decimals."""
    return all(x == 0 or -x.normalize().as_tuple().exponent <= 6 for x in xs)


def signed(x: D, F: Fmt) -> str:
    """' + 0.4' or ' - 0.4', for a term after the first of a written sum."""
    return f" - {F.n(-x)}" if x < 0 else f" + {F.n(x)}"


# --------------------------------------------------------------------------- problems
# A template writes a derivative (`0.2*{0}`) both symbolically (0.2w_1) and substituted
# (0.2 \cdot (-5)); `{0}` is the variable, `{0r}` the variable without parentheses.
TOKEN = re.compile(r"\{(\d)(r?)\}|\d+(?:\.\d+)?|\*|[^{}*\d]+")


def render(tmpl: str, F: Fmt, names=None, vals=None) -> str:
    out, toks = [], [m for m in TOKEN.finditer(tmpl)]
    for k, m in enumerate(toks):
        s = m.group(0)
        if m.group(1) is not None:
            j = int(m.group(1))
            if names is not None:
                out.append(names[j])
            else:
                out.append(F.n(vals[j]) if m.group(2) else F.p(vals[j]))
        elif s == "*":
            if names is not None:
                if F.plain:
                    out.append("*")
                elif toks[k - 1].group(1) is not None and toks[k + 1].group(1) is not None:
                    out.append(" ")
                else:
                    out.append("")
            else:
                out.append(F.m if not F.plain else F.m.strip() or "*")
        elif re.fullmatch(r"\d+(?:\.\d+)?", s):
            out.append(F.n(D(s)))
        else:
            out.append(s)
    s = "".join(out)
    if names is not None and F.plain:
        s = re.sub(r"(\d)(?=[A-Za-z(])", r"\1*", s)
    return s


def grad(tmpl, fn, terms=None):
    return {"t": tmpl, "f": fn, "terms": terms}


PROBLEMS = {
    # f(w1, w2) = 0.1w1^2 + 2w2^2, the reference sheet's
    "A": {"f": "0.1{0}^2 + 2{1}^2",
          "g": [grad("0.2*{0}", lambda w: D("0.2") * w[0]), grad("4*{1}", lambda w: 4 * w[1])],
          "alt": [grad("0.1*{0}", lambda w: D("0.1") * w[0]), grad("2*{1}", lambda w: 2 * w[1])]},
    "B": {"f": "{0}^2 + 3{1}^2",
          "g": [grad("2*{0}", lambda w: 2 * w[0]), grad("6*{1}", lambda w: 6 * w[1])],
          "alt": [grad("{0}", lambda w: w[0]), grad("3*{1}", lambda w: 3 * w[1])]},
    "C": {"f": "({0} - 3)^2",
          "g": [grad("2*({0r} - 3)", lambda w: 2 * (w[0] - 3))],
          "alt": [grad("2*({0r} + 3)", lambda w: 2 * (w[0] + 3))]},
    "D": {"f": "({0} - 1)^2 + 2({1} + 2)^2",
          "g": [grad("2*({0r} - 1)", lambda w: 2 * (w[0] - 1)), grad("4*({1r} + 2)", lambda w: 4 * (w[1] + 2))],
          "alt": [grad("2*({0r} + 1)", lambda w: 2 * (w[0] + 1)), grad("2*({1r} + 2)", lambda w: 2 * (w[1] + 2))]},
    "E": {"f": "{0}^2 + {0}*{1} + 2{1}^2",
          "g": [grad("2*{0} + {1}", lambda w: 2 * w[0] + w[1], lambda w: [2 * w[0], w[1]]),
                grad("{0r} + 4*{1}", lambda w: w[0] + 4 * w[1], lambda w: [w[0], 4 * w[1]])],
          "alt": [grad("2*{0}", lambda w: 2 * w[0]), grad("4*{1}", lambda w: 4 * w[1])]},
    "F": {"f": "0.25{0}^4 - {0}^2",
          "g": [grad("{0}^3 - 2*{0}", lambda w: w[0] ** 3 - 2 * w[0], lambda w: [w[0] ** 3, -2 * w[0]])],
          "alt": [grad("{0}^3 - {0}", lambda w: w[0] ** 3 - w[0])]},
    "G": {"f": "0.05{0}^2 + 0.25{1}^2",
          "g": [grad("0.1*{0}", lambda w: D("0.1") * w[0]), grad("0.5*{1}", lambda w: D("0.5") * w[1])],
          "alt": [grad("0.05*{0}", lambda w: D("0.05") * w[0]), grad("0.25*{1}", lambda w: D("0.25") * w[1])]},
    "H": {"f": "2{0}^2 - {0}*{1} + {1}^2",
          "g": [grad("4*{0} - {1}", lambda w: 4 * w[0] - w[1], lambda w: [4 * w[0], -w[1]]),
                grad("-{0} + 2*{1}", lambda w: -w[0] + 2 * w[1], lambda w: [-w[0], 2 * w[1]])],
          "alt": [grad("4*{0}", lambda w: 4 * w[0]), grad("2*{1}", lambda w: 2 * w[1])]},
}

HYPERS = {"gd": ["alpha"], "momentum": ["alpha", "beta"], "rmsprop": ["alpha", "gamma", "eps"],
          "adam": ["alpha", "beta1", "beta2", "eps"], "adagrad": ["alpha", "eps"]}
QUANTITIES = {"gd": ["g", "w"], "momentum": ["g", "v", "w"], "rmsprop": ["g", "s", "w"],
              "adam": ["g", "v", "s", "vh", "sh", "w"], "adagrad": ["g", "s", "w"]}
HN_LATEX = {"alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma", "beta1": r"\beta_1",
            "beta2": r"\beta_2", "eps": r"\epsilon"}
HN_PLAIN = {"alpha": "alpha", "beta": "beta", "gamma": "gamma", "beta1": "beta1", "beta2": "beta2", "eps": "eps"}
HN_UNI = {"alpha": "α", "beta": "β", "gamma": "γ", "beta1": "β1", "beta2": "β2", "eps": "ε"}
TITLES = {"en": {"gd": "Gradient Descent", "momentum": "Gradient Descent with Momentum", "rmsprop": "RMSProp",
                 "adam": "Adam", "adagrad": "Adagrad"},
          "vi": {"gd": "Gradient Descent", "momentum": "Gradient Descent + Momentum", "rmsprop": "RMSProp",
                 "adam": "Adam", "adagrad": "Adagrad"}}


# --------------------------------------------------------------------------- formula lines
def T(s: str, **kw) -> str:
    """Fill <name> tokens; <R:x> is x's root with epsilon by the exercise's convention."""
    for k, v in kw.items():
        if isinstance(v, str):
            s = s.replace(f"<{k}>", v)
    return re.sub(r"<R:([^>]*)>", lambda m: kw["R"](m.group(1)), s) if "R" in kw else s


def formulas(fam: str, opt: str, kw: dict) -> list[str]:
    """The update rules as the document states them."""
    R = {
        "ref": {
            "gd": ["W = W - <alpha><m>dW"],
            "momentum": [r"V_t = <beta> V_{t-1} + (1 - <beta>) dW_t", r"W_t = W_{t-1} - <alpha><m>V_t"],
            "rmsprop": [r"S_t = <gamma> S_{t-1} + (1 - <gamma>) dW_t^2", r"W_t = W_{t-1} - <alpha><m>\frac{dW_t}{<R:S_t>}"],
            "adam": [r"V_t = <beta1> V_{t-1} + (1 - <beta1>) dW_t", r"S_t = <beta2> S_{t-1} + (1 - <beta2>) dW_t^2",
                     r"V_{corr} = \frac{V_t}{1 - <beta1>^t}", r"S_{corr} = \frac{S_t}{1 - <beta2>^t}",
                     r"W_t = W_{t-1} - <alpha><m>\frac{V_{corr}}{<R:S_{corr}>}"],
            "adagrad": [r"S_t = S_{t-1} + dW_t^2", r"W_t = W_{t-1} - <alpha><m>\frac{dW_t}{<R:S_t>}"],
        },
        # the lecture's: theta_{t+1} = theta_t - alpha grad f(theta_t); <G> the gradient at theta_t
        "theta": {
            "gd": [r"<P>_{t+1} = <P>_t - <alpha> <G>"],
            "momentum": [r"<M1>_{t+1} = <beta> <M1>_t + (1 - <beta>) <G>", r"<P>_{t+1} = <P>_t - <alpha> <M1>_{t+1}"],
            "rmsprop": [r"<M2>_t = <gamma> <M2>_{t-1} + (1 - <gamma>) g_t^2", r"<P>_t = <P>_{t-1} - \frac{<alpha>}{<R:<M2>_t>} g_t"],
            "adam": [r"<M1>_t = <beta1> <M1>_{t-1} + (1 - <beta1>) g_t", r"<M2>_t = <beta2> <M2>_{t-1} + (1 - <beta2>) g_t^2",
                     r"\hat{<M1>}_t = \frac{<M1>_t}{1 - <beta1>^t}", r"\hat{<M2>}_t = \frac{<M2>_t}{1 - <beta2>^t}",
                     r"<P>_t = <P>_{t-1} - <alpha> \frac{\hat{<M1>}_t}{<R:\hat{<M2>}_t>}"],
            "adam-inline": [r"<M1>_t = <beta1> <M1>_{t-1} + (1 - <beta1>) g_t", r"<M2>_t = <beta2> <M2>_{t-1} + (1 - <beta2>) g_t^2",
                            r"<P>_t = <P>_{t-1} - <alpha> \frac{<M1>_t / (1 - <beta1>^t)}{<R:<M2>_t / (1 - <beta2>^t)>}"],
            "adagrad": [r"<M2>_t = <M2>_{t-1} + g_t^2", r"<P>_t = <P>_{t-1} - \frac{<alpha>}{<R:<M2>_t>} g_t"],
        },
        "sup": {
            "gd": [r"<P>^{(t+1)} = <P>^{(t)} - <alpha> \nabla f(<P>^{(t)})"],
            "momentum": [r"<M1>^{(t+1)} = <beta> <M1>^{(t)} + (1 - <beta>) \nabla f(<P>^{(t)})",
                         r"<P>^{(t+1)} = <P>^{(t)} - <alpha> <M1>^{(t+1)}"],
            "rmsprop": [r"<M2>^{(t)} = <gamma> <M2>^{(t-1)} + (1 - <gamma>) (g^{(t)})^2",
                        r"<P>^{(t)} = <P>^{(t-1)} - <alpha> \frac{g^{(t)}}{<R:<M2>^{(t)}>}"],
            "adam": [r"<M1>^{(t)} = <beta1> <M1>^{(t-1)} + (1 - <beta1>) g^{(t)}",
                     r"<M2>^{(t)} = <beta2> <M2>^{(t-1)} + (1 - <beta2>) (g^{(t)})^2",
                     r"\hat{<M1>}^{(t)} = \frac{<M1>^{(t)}}{1 - <beta1>^t}", r"\hat{<M2>}^{(t)} = \frac{<M2>^{(t)}}{1 - <beta2>^t}",
                     r"<P>^{(t)} = <P>^{(t-1)} - <alpha> \frac{\hat{<M1>}^{(t)}}{<R:\hat{<M2>}^{(t)}>}"],
        },
        "plain": {
            "gd": ["<P> = <P> - <alpha>*d<P>"],
            "momentum": ["v = <beta>*v + (1 - <beta>)*d<P>", "<P> = <P> - <alpha>*v"],
            "rmsprop": ["s = <gamma>*s + (1 - <gamma>)*d<P>^2", "<P> = <P> - <alpha>*d<P>/<R:s>"],
            "adam": ["m = <beta1>*m + (1 - <beta1>)*g", "v = <beta2>*v + (1 - <beta2>)*g^2",
                     "m_hat = m/(1 - <beta1>^t)", "v_hat = v/(1 - <beta2>^t)", "<P> = <P> - <alpha>*m_hat/<R:v_hat>"],
            "adagrad": ["s = s + d<P>^2", "<P> = <P> - <alpha>*d<P>/<R:s>"],
        },
        "vec": {
            "gd": [r"\mathbf{<P>}_{t+1} = \mathbf{<P>}_t - <alpha> \nabla f(\mathbf{<P>}_t)"],
            "momentum": [r"\mathbf{v}_{t+1} = <beta> \mathbf{v}_t + (1 - <beta>) \nabla f(\mathbf{<P>}_t)",
                         r"\mathbf{<P>}_{t+1} = \mathbf{<P>}_t - <alpha> \mathbf{v}_{t+1}"],
        },
    }
    if fam == "own":  # in the variables' own names, one rule per variable
        out = []
        for x, gx in zip(kw["names"], kw["gnames"], strict=True):
            s = dict(x=x, gx=gx, sx=kw["sname"](x), vx=kw["vname"](x))
            rules = {
                "gd": [r"<x><as><x> - <alpha><m><gx>"],
                "momentum": [r"<vx><as><beta> <vx> + (1 - <beta>) <gx>", r"<x><as><x> - <alpha> <vx>"],
                "rmsprop": [r"<sx><as><gamma> <sx> + (1 - <gamma>) (<gx>)^2", r"<x><as><x> - <alpha> \frac{<gx>}{<R:<sx>>}"],
                "adagrad": [r"<sx><as><sx> + (<gx>)^2", r"<x><as><x> - <alpha> \frac{<gx>}{<R:<sx>>}"],
            }[opt]
            out += [T(T(r, **s), **kw) for r in rules]
        return out
    return [T(r, **kw) for r in R[fam][opt]]


# --------------------------------------------------------------------------- a worked line
class Line:
    def __init__(self, lhs, parts, val, rel, q, i):
        self.lhs, self.parts, self.val, self.rel, self.q, self.i = lhs, parts, val, rel, q, i

    def chain(self, eq=" = "):
        return eq.join([self.lhs, *self.parts]) + (f" {self.rel} {self.val}" if self.val is not None else "")


# --------------------------------------------------------------------------- the writer
class Writer:
    def __init__(self, cfg):
        self.c = cfg
        self.F = Fmt(**cfg.get("fmt", {}))
        self.out: list[str] = []
        self.judged = 0
        self.planted: list[dict] = []
        self.lang = cfg.get("lang", "en")
        self.tex = cfg["file"].endswith(".tex")
        self.prob = PROBLEMS[cfg["problem"]]
        self.names = cfg["names"]
        self.nv = len(self.names)
        self.sentence = 0

    # -- output
    def raw(self, *lines):
        self.out.extend(lines)

    def here(self):
        return len(self.out) + 1

    def math(self, text, judged=True, sentence=None):
        """One math line in the document's wrap; returns its line number."""
        wrap = self.c["wrap"]
        start = self.here()
        if wrap == "dd":
            self.raw(f"$${text}$$", "")
        elif wrap == "ddc":
            self.raw(f"$${text}$$")
        elif wrap == "br":
            self.raw(rf"\[ {text} \]")
        elif wrap == "inline":
            self.raw(f"${text}$", "")
        elif wrap == "sentence":
            self.raw((sentence or "${}$").replace("${}$", f"${text}$"), "")
        elif wrap == "align" and self.tex:
            self.raw(rf"\[ {text} \]", "")
        elif wrap in ("plain", "align"):
            self.raw(text)
        if judged:
            self.judged += 1
        return start

    def block(self, items):
        """items: (text or Line, plant-or-None, sentence); align documents put them in align*."""
        if self.c["wrap"] != "align":
            for text, plant, sent in items:
                s = text.chain() if isinstance(text, Line) else text
                at = self.math(s, sentence=sent)
                self.plant_at(plant, at)
            if self.c["wrap"] == "plain":
                self.raw("")
            return
        self.raw(r"\begin{align*}")
        for k, (text, plant, _) in enumerate(items):
            end = "" if k == len(items) - 1 else r" \\"
            at = self.here()
            self.judged += 1
            if isinstance(text, Line) and self.c.get("chain_rows") and len(text.parts) > 1:
                rows = [f"  {text.lhs} &= {text.parts[0]}"] + [f"  &= {p}" for p in text.parts[1:]]
                rows.append(f"  &{text.rel} {text.val}" if text.rel == "=" else rf"  &\approx {text.val}")
                self.raw(*[r + r" \\" for r in rows[:-1]], rows[-1] + end)
            elif isinstance(text, Line):
                rest = " = ".join(text.parts) + (f" {text.rel} {text.val}" if text.val is not None else "")
                self.raw(f"  {text.lhs} &= {rest}{end}" if text.parts or text.val is not None else f"  {text.lhs}{end}")
            else:
                lhs, _, rhs = text.partition(" = ")
                self.raw(f"  {lhs} &= {rhs}{end}")
            self.plant_at(plant, at)
        self.raw(r"\end{align*}", "")

    def plant_at(self, plant, at):
        if plant:
            what = plant["what"] + (f" ({plant['detail']})" if plant.get("detail") else "")
            self.planted.append({"line": at, "kind": plant["kind"], "what": what})

    # -- the document
    def write(self) -> str:
        c = self.c
        if self.tex:
            self.raw(r"\documentclass{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage{amsmath}",
                     r"\begin{document}")
        for line in c.get("intro", []):
            self.raw(line, "")
        if c.get("state_f", True):
            f = render(self.prob["f"], self.F, names=self.names)
            args = ", ".join(self.names)
            text = f"f({args}) = {f}"
            if c.get("f_sentence"):
                self.raw(c["f_sentence"].replace("${}$", f"${text}$"), "")
            else:
                self.math(text, judged=False)
        for n, ex in enumerate(c["exercises"], start=1):
            self.exercise(n, ex)
        if self.tex:
            self.raw(r"\end{document}")
        while self.out and self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n"

    def hn(self, key, ex):
        base = {"latex": HN_LATEX, "plain": HN_PLAIN, "uni": HN_UNI}[self.c.get("hn_style", "latex")]
        return {**base, **self.c.get("hn", {}), **ex.get("hn", {})}[key]

    def exercise(self, n, ex):
        c, F = self.c, self.F
        opt = ex["opt"]
        title = ex.get("title") or TITLES[self.lang][opt]
        self.raw(c["heading"].replace("{n}", str(n)).replace("{name}", title), "")
        # state
        self.w = [D(x) for x in ex["start"]]
        self.v = [D(0)] * self.nv
        self.s = [D(0)] * self.nv
        self.vh = [None] * self.nv
        self.sh = [None] * self.nv
        self.g = [None] * self.nv
        self.gprev = [None] * self.nv
        self.hyp = {k: D(v) for k, v in ex["hyper"].items()}
        self.eps_where = ex.get("eps", "inside" if opt in ("rmsprop", "adam") else "outside")
        self.pol = ex.get("pol", Policy())
        F.zeros = self.pol.mode == "sig"
        self.plants = {}
        for p in ex.get("plants", []):
            self.plants[(p.get("t"), p["q"], p.get("i"))] = p
        self.alt = [None] * self.nv
        self.ex, self.opt = ex, opt
        # formulas
        fam = ex.get("fam", c["fam"])
        kw = {k: self.hn(k, ex) for k in HYPERS[opt]}
        epsn = self.hn("eps", ex) if "eps" in HYPERS[opt] else ""
        kw.update(m=c.get("fmult", " * " if F.m.strip() == "*" else " "), R=lambda x: F.root_of(x, epsn, self.eps_where),
                  P=c.get("P", "w"), G=c.get("G", r"\nabla f(<P>_t)").replace("<P>", c.get("P", "w")),
                  M1=c.get("M1", "v"), M2=c.get("M2", "s"), names=self.names,
                  gnames=[self.name("g", i, None) for i in range(self.nv)],
                  sname=c.get("own_s", lambda x: f"s_{sub(x)}"), vname=c.get("own_v", lambda x: f"v_{sub(x)}"))
        kw["as"] = c.get("assign", " = ")
        fopt = "adam-inline" if opt == "adam" and c.get("inline_bias") else opt
        rules = ex.get("formulas") or formulas(fam, fopt, kw)
        if c.get("data_first"):
            self.data(ex)
        if c.get("formula_label"):
            self.raw(c["formula_label"], "")
        self.block([(r, None, None) for r in rules])
        if ex.get("policy_note"):
            self.raw(self.pol.describe(self.lang), "")
        if not c.get("data_first"):
            self.data(ex)
        # derivatives, stated before the epochs
        if ex.get("derivs", c.get("derivs", True)):
            items = []
            for i in range(self.nv):
                p = self.plants.get((None, "deriv", i))
                g = self.prob["g"][i]
                if p:
                    g = self.prob["alt"][i]
                    self.alt[i] = g
                sym = render(g["t"], F, names=self.names)
                items.append((f"{self.dname(i)} = {sym}", p))
            if c.get("deriv_vector"):
                syms = [t.split(" = ", 1)[1] for t, _ in items]
                items = [(f"{c['deriv_vector']} = ({', '.join(syms)})", next((p for _, p in items if p), None))]
            self.block([(t, p, None) for t, p in items])
        for t in range(1, ex["epochs"] + 1):
            self.raw(c["epoch"].replace("{t}", str(t)), "")
            self.epoch(t)

    def dname(self, i):
        """The derivative's name on the lines before the epochs."""
        d = self.c.get("dname")
        return d(self.names[i]) if d else self.name("g", i, None)

    def data(self, ex):
        c, F = self.c, self.F
        sep = c.get("sep", ", ")
        dn = c.get("data_name", lambda x, i: x)
        items = [f"{dn(x, i)} = {F.n(D(v))}" for i, (x, v) in enumerate(zip(self.names, ex["start"], strict=True))]
        items += ex.get("state", [])
        items += [f"{self.hn(k, ex)} = {F.hv(D(ex['hyper'][k]))}" for k in HYPERS[ex["opt"]] if k not in ex.get("hide", [])]
        if c.get("data_sentence"):
            self.raw(c["data_sentence"].replace("${}$", "$" + sep.join(items) + "$"), "")
        else:
            self.math(sep.join(items), judged=False)

    def name(self, q, i, t):
        return self.c["name"](q, self.names[i] if i is not None else None, i, t)

    # -- an epoch
    def epoch(self, t):
        c = self.c
        self.wold = list(self.w)
        self.gprev = list(self.g)
        qs = [q for q in QUANTITIES[self.opt] if not (c.get("inline_bias") and q in ("vh", "sh"))]
        items = []
        if c.get("vector"):
            for q in qs:
                items.append(self.vector_line(q, t))
        elif c.get("order") == "var":
            for i in range(self.nv):
                for q in qs:
                    items.append(self.line(q, i, t))
        else:
            for q in qs:
                for i in range(self.nv):
                    items.append(self.line(q, i, t))
        self.block(items)

    def sent(self, q, t, i=None):
        s = self.c.get("sentences")
        if not s:
            return None
        opts = s[q]
        return opts[min(i or 0, len(opts) - 1)].replace("{t}", str(t))

    def line(self, q, i, t):
        plant = self.plants.get((t, q, i))
        ln, exact = getattr(self, "b_" + q)(t, i, plant or {})
        ln.lhs = self.name(q, i, t)
        if plant and plant.get("as"):
            ln.lhs = plant["as"]
        val = self.finish(ln, exact, plant, q, i)
        {"g": self.g, "v": self.v, "s": self.s, "vh": self.vh, "sh": self.sh, "w": self.w}[q][i] = val
        return ln, plant, self.sent(q, t, i)

    def finish(self, ln, exact, plant, q, i):
        """Round as the student does; apply a planted slip in the value; return the carried value."""
        F, pol = self.F, self.pol
        r, places = pol.round(exact)
        right = r
        kind = plant and plant["kind"]
        how = plant and plant.get("how")
        if kind == "arithmetic" and how in ("flip", "x10", "neg", "add", "drop", "swapdigits"):
            wrong = {"flip": lambda: 2 * (self.w[i]) - exact, "x10": lambda: exact * 10, "neg": lambda: -exact,
                     "add": lambda: exact + D(plant["by"]), "drop": lambda: D(plant["value"]),
                     "swapdigits": lambda: D(plant["value"])}[how]()
            w, _ = pol.round(wrong)
            unit = ONE.scaleb(-places)
            assert abs(w - r) > 3 * unit and abs(w - r) > abs(r) / 100, (self.c["file"], plant, w, r)
            r = w
        elif kind == "rounding":
            unit = ONE.scaleb(-places)
            assert r != exact, (self.c["file"], plant, "value is exact at its digits")
            if how == "truncate":
                tr = exact.quantize(unit, ROUND_DOWN)
                assert tr != r, (self.c["file"], plant, "truncation equals rounding")
                r = tr
            else:
                r = r - unit if r > exact else r + unit
            # a slip must show: a last digit 0 would read as a shorter value rounded right
            assert -r.normalize().as_tuple().exponent == places, (self.c["file"], plant, r)
        if kind == "unreadable":
            ln.parts, ln.val = plant["text"](ln), None
            return r
        # significant figures keep their trailing zeros (119.0); a value exact as written is written whole
        r = r if (pol.mode == "sig" and r != exact) else r.normalize()
        ln.val = F.n(r)
        ln.rel = "=" if r == exact or kind == "arithmetic" else self.c.get("approx", r"\approx")
        if kind in ("arithmetic", "rounding") and r != right:
            plant["detail"] = f"written {F.n(r)}, right {F.n(right)}"
        return r

    # -- the quantities' lines: (Line without lhs and value, exact value of what is written)
    def ops(self, i, plant, **base):
        sub = plant.get("sub")
        if sub:
            key, how = sub
            if how == "neg":
                base[key] = -base[key]
            elif how == "stale":
                base[key] = self.gprev[i]
            elif isinstance(how, str) and how.startswith("hyper:"):
                base[key] = self.hyp[how[6:]]
            else:
                base[key] = D(how)
        return base

    def b_g(self, t, i, plant):
        F = self.F
        g = self.alt[i] or self.prob["g"][i]
        if plant.get("kind") == "formula":
            g = self.prob["alt"][i]
        x = list(self.wold)
        o = self.ops(i, plant, x=x[i])
        x[i] = o["x"]
        sub = render(g["t"], F, vals=x)
        parts = [sub]
        if self.c.get("sym_grad"):
            parts.insert(0, render(g["t"], F, names=self.c.get("sym_names", self.names)))
        if g["terms"] and self.c.get("steps") and short(*g["terms"](x)):
            terms = g["terms"](x)
            parts.append(F.n(terms[0]) + "".join(signed(v, F) for v in terms[1:]))
        return Line(None, parts, None, "=", "g", i), g["f"](x)

    def b_v(self, t, i, plant):
        F = self.F
        b = self.hyp["beta" if self.opt == "momentum" else "beta1"]
        o = self.ops(i, plant, b=b, ob=ONE - b, v=self.v[i], g=self.g[i])
        if plant.get("kind") == "formula" and plant.get("how") == "beta-swap":
            o["ob"] = o["b"]
        b, ob, v, g = o["b"], o["ob"], o["v"], o["g"]
        parts = [f"{F.hv(b)}{F.m}{F.p(v)} + {F.n(ob)}{F.m}{F.p(g)}"]
        exact = b * v + ob * g
        if self.c.get("steps") and v != 0 and short(b * v, ob * g):
            parts.append(F.n(b * v) + signed(ob * g, F))
            if plant.get("how") == "step":
                parts[-1] = F.n(b * v) + signed(-ob * g, F)
                exact = b * v - ob * g
        return Line(None, parts, None, "=", "v", i), exact

    def b_s(self, t, i, plant):
        F = self.F
        s, g = self.s[i], self.g[i]
        if self.opt == "adagrad":
            o = self.ops(i, plant, s=s, g=g)
            parts = [f"{F.n(o['s'])} + {F.pw(o['g'], 2)}"]
            return Line(None, parts, None, "=", "s", i), o["s"] + o["g"] ** 2
        b = self.hyp["gamma" if self.opt == "rmsprop" else "beta2"]
        o = self.ops(i, plant, b=b, ob=ONE - b, s=s, g=g)
        b, ob, s, g = o["b"], o["ob"], o["s"], o["g"]
        parts = [f"{F.hv(b)}{F.m}{F.p(s)} + {F.n(ob)}{F.m}{F.pw(g, 2)}"]
        if self.c.get("steps") and s != 0 and short(b * s, ob * g * g):
            parts.append(F.n(b * s) + signed(ob * g * g, F))
        return Line(None, parts, None, "=", "s", i), b * s + ob * g * g

    def _hat(self, t, i, plant, which):
        F = self.F
        b = self.hyp["beta1" if which == "v" else "beta2"]
        m = (self.v if which == "v" else self.s)[i]
        o = self.ops(i, plant, b=b, m=m, t=D(t))
        b, m, tt = o["b"], o["m"], int(o["t"])
        parts = []
        if self.c.get("sym_hat"):
            parts.append(F.fr(self.name(which, i, t), rf"1 - {self.hn('beta1' if which == 'v' else 'beta2', self.ex)}^{tt}"))
        if plant.get("kind") == "formula" and plant.get("how") == "nobias":
            return Line(None, [self.name(which, i, t)], None, "=", which + "h", i), m
        if plant.get("kind") == "formula" and plant.get("how") == "bias-t":
            return Line(None, [F.fr(F.n(m), f"1 - {F.hv(b)}")], None, "=", which + "h", i), m / (ONE - b)
        parts.append(F.fr(F.n(m), f"1 - {F.hp(b, tt)}"))
        if self.c.get("steps"):
            parts.append(F.fr(F.n(m), F.n(ONE - b ** tt)))
        return Line(None, parts, None, "=", which + "h", i), m / (ONE - b ** tt)

    def b_vh(self, t, i, plant):
        return self._hat(t, i, plant, "v")

    def b_sh(self, t, i, plant):
        return self._hat(t, i, plant, "s")

    def b_w(self, t, i, plant):
        F, opt = self.F, self.opt
        a = self.hyp["alpha"]
        where = self.eps_where
        if plant.get("kind") == "notation" and plant.get("how") == "eps":
            where = "outside" if where == "inside" else "inside"
        if opt in ("gd", "momentum"):
            o = self.ops(i, plant, a=a, w=self.w[i], d=self.g[i] if opt == "gd" else self.v[i])
            a, w, d = o["a"], o["w"], o["d"]
            parts = [f"{F.n(w)} - {F.hv(a)}{F.m}{F.p(d)}"]
            exact = w - a * d
            if self.c.get("steps") and short(a * d):
                parts.append(F.n(w) + signed(-a * d, F))
                if plant.get("how") == "step":
                    parts[-1] = F.n(w) + signed(a * d, F)
                    exact = w + a * d
            return Line(None, parts, None, "=", "w", i), exact
        eps = self.hyp["eps"]
        if opt in ("rmsprop", "adagrad"):
            o = self.ops(i, plant, a=a, w=self.w[i], g=self.g[i], s=self.s[i])
            a, w, g, s = o["a"], o["w"], o["g"], o["s"]
            num = F.p(g) if self.c.get("paren_num") else F.n(g)
            den = F.root_of(F.n(s), F.hv(eps), where)
            root = (s + eps).sqrt() if where == "inside" else s.sqrt() + eps
            parts = [f"{F.n(w)} - {F.hv(a)}{F.m}{F.fr(num, den)}"]
            return Line(None, parts, None, "=", "w", i), w - a * g / root
        # adam
        o = self.ops(i, plant, a=a, w=self.w[i], vh=self.vh[i], sh=self.sh[i])
        a, w = o["a"], o["w"]
        if self.c.get("inline_bias"):
            b1, b2 = self.hyp["beta1"], self.hyp["beta2"]
            v, s = self.v[i], self.s[i]
            c1 = f"1 - {F.n(b1)}" if t == 1 else f"1 - {F.hp(b1, t)}"
            c2 = f"1 - {F.n(b2)}" if t == 1 else f"1 - {F.hp(b2, t)}"
            vh, sh = v / (ONE - b1 ** t), s / (ONE - b2 ** t)
            num = f"{F.n(v)}/({c1})"
            den = F.root_of(f"{F.n(s)}/({c2})", F.hv(eps), where)
        else:
            vh, sh = o["vh"], o["sh"]
            num, den = F.n(vh), F.root_of(F.n(sh), F.hv(eps), where)
        root = (sh + eps).sqrt() if where == "inside" else sh.sqrt() + eps
        parts = [f"{F.n(w)} - {F.hv(a)}{F.m}{F.fr(num, den)}"]
        return Line(None, parts, None, "=", "w", i), w - a * vh / root

    # -- one line for every variable at once: (w_1, w_2) = (-5, -2) - 0.4 \cdot (-1, -8)
    def vector_line(self, q, t):
        F, pol = self.F, self.pol
        plant = self.plants.get((t, q, None))
        vec = lambda xs: "(" + ", ".join(F.n(x) for x in xs) + ")"
        if q == "g":
            subs, exact = [], []
            for i in range(self.nv):
                g = self.alt[i] or self.prob["g"][i]
                subs.append(render(g["t"], F, vals=self.wold))
                exact.append(g["f"](self.wold))
            parts = ["(" + ", ".join(subs) + ")"]
        elif q == "v":
            b = self.hyp["beta"]
            parts = [f"{F.n(b)}{F.m}{vec(self.v)} + {F.n(ONE - b)}{F.m}{vec(self.g)}"]
            exact = [b * v + (ONE - b) * g for v, g in zip(self.v, self.g, strict=True)]
        else:
            a = self.hyp["alpha"]
            d = self.g if self.opt == "gd" else self.v
            parts = [f"{vec(self.w)} - {F.n(a)}{F.m}{vec(d)}"]
            if self.c.get("steps") and short(*[a * x for x in d]):
                parts.append(f"{vec(self.w)} + {vec([-a * x for x in d])}")
            exact = [w - a * x for w, x in zip(self.w, d, strict=True)]
        vals = [pol.round(x)[0] for x in exact]
        if plant:
            assert plant["kind"] == "arithmetic"
            j = plant["component"]
            vals[j] = pol.round(D(plant["value"]))[0]
            assert abs(vals[j] - pol.round(exact[j])[0]) > abs(exact[j]) / 100
        rel = "=" if plant or all(v == x for v, x in zip(vals, exact, strict=True)) else self.c.get("approx", r"\approx")
        store = {"g": self.g, "v": self.v, "w": self.w}[q]
        store[:] = vals
        ln = Line(self.c["name"](q, None, None, t), parts, vec(vals), rel, q, None)
        return ln, plant, self.sent(q, t)


# --------------------------------------------------------------------------- planted slips
def P(kind, what, q, t=None, i=None, as_=None, **kw):
    return {"kind": kind, "what": what, "q": q, "t": t, "i": i, "as": as_, **kw}


def cut(ln):
    """An unfinished line: the substitution broken off after its last product sign."""
    s = ln.parts[0]
    k, op = max((s.rfind(op), op) for op in (r"\cdot", r"\times", "*"))
    return [s[:k + len(op)] + " ("]


def qq(ln):
    return ["??"]


# --------------------------------------------------------------------------- names of lines
def ref_names(q, x, i, t):  # the reference sheet: dw_1, v_1, s_1, v_{corr1}, s_{corr1}, w_1
    k = i + 1
    return {"g": f"dw_{k}", "v": f"v_{k}", "s": f"s_{k}", "vh": f"v_{{corr{k}}}", "sh": f"s_{{corr{k}}}", "w": f"w_{k}"}[q]


def sub(x):  # v_x, v_{x_1}
    return x if len(x) == 1 else "{" + x + "}"


def lecture_names(g="d", m1="v", m2="s"):
    def name(q, x, i, t):
        gx = {"d": f"d{x}", "g": f"g_{sub(x)}", "partial": rf"\frac{{\partial f}}{{\partial {x}}}"}[g]
        return {"g": gx, "v": f"{m1}_{sub(x)}", "s": f"{m2}_{sub(x)}", "vh": rf"\hat{{{m1}}}_{sub(x)}",
                "sh": rf"\hat{{{m2}}}_{sub(x)}", "w": x}[q]
    return name


def time_names(P, g="g", m1="v", m2="s"):
    """One variable, every name indexed by the step: g_1, m_1, \\hat{v}_2, \\theta_2."""
    def name(q, x, i, t):
        if t is None:
            return {"g": "g", "prime": f"f'({P})"}[g] if g in ("g", "prime") else g
        gt = f"g_{t}" if g == "g" else f"f'({P}_{t - 1})"
        return {"g": gt, "v": f"{m1}_{t}", "s": f"{m2}_{t}", "vh": rf"\hat{{{m1}}}_{t}", "sh": rf"\hat{{{m2}}}_{t}",
                "w": f"{P}_{t}"}[q]
    return name


def sup_names(g="g", m1="v", m2="s", form="({t})"):
    """Iterates as superscripts: w_1^{(1)}, g_x^{(2)}; form "{t}" gives w_{1}^{2} (w_1 at epoch 2)."""
    def name(q, x, i, t):
        if t is None:
            return {"g": f"g_{sub(x)}", "d": f"d{x}", "partial": rf"\frac{{\partial f}}{{\partial {x}}}"}[g]
        up = "^{" + form.format(t=t) + "}"
        if form == "{t}":  # w_{1}^{2}: braces around the index
            base = x if "_" not in x else x.split("_")[0] + "_{" + x.split("_")[1] + "}"
            idx = "_{" + x.split("_")[1] + "}" if "_" in x else "_{" + x + "}"
            return {"g": f"d{base}{up}", "v": f"v{idx}{up}", "s": f"s{idx}{up}", "w": f"{base}{up}"}[q]
        gx = {"g": f"g_{sub(x)}", "d": f"d{x}", "partial": f"g_{sub(x)}"}[g]
        return {"g": gx + up, "v": f"{m1}_{sub(x)}{up}", "s": f"{m2}_{sub(x)}{up}",
                "vh": rf"\hat{{{m1}}}_{sub(x)}{up}", "sh": rf"\hat{{{m2}}}_{sub(x)}{up}", "w": f"{x}{up}"}[q]
    return name


def plain_names(q, x, i, t):
    return {"g": f"d{x}", "v": f"v{x[1:] if x[0] == 'w' else '_' + x}", "s": f"s{x[1:] if x[0] == 'w' else '_' + x}",
            "vh": f"vhat_{x}", "sh": f"shat_{x}", "w": x}[q]


def plain_adam_names(q, x, i, t):
    return {"g": f"g_{x}", "v": f"m_{x}", "s": f"v_{x}", "vh": f"mhat_{x}", "sh": f"vhat_{x}", "w": x}[q]


def vec_names(P, grad=r"\nabla f"):
    def name(q, x, i, t):
        return {"g": grad, "v": r"\mathbf{v}", "w": P}[q]
    return name


# --------------------------------------------------------------------------- the corpus
EN_EP = "**Epoch {t}**"
VI = {"lang": "vi"}
A4 = Policy("dec", 4, 3)
A3 = Policy("dec", 3, 3)
S4 = Policy("sig", sig=4)
K7 = Policy("dec", 4, 3, keep=7)
K4 = Policy("dec", 3, 3, keep=4)
EPS6, EPS8 = "0.000001", "0.00000001"

ADAM_REF = {"alpha": "0.2", "beta1": "0.9", "beta2": "0.999", "eps": EPS6}
REF = dict(wrap="dd", fam="ref", name=ref_names, names=["w_1", "w_2"], problem="A", fmt={"mult": " * ", "paren": "always"},
           heading="Bài {n} {name}", epoch="Epoch {t}:", paren_num=True, approx="=", sym_hat=True, **VI)

DOCS = [
    # 01: the reference sheet's own layout, every line right (control)
    dict(REF, file="01-reference-layout.md", styles=["reference-layout", "vietnamese"], correct=True,
         intro=["Optimization Algorithms in Deep Learning"],
         exercises=[dict(opt="gd", start=["-5", "-2"], hyper={"alpha": "0.4"}, epochs=2),
                    dict(opt="momentum", start=["-5", "-2"], hyper={"alpha": "0.6", "beta": "0.5"}, epochs=2,
                         state=["v_1 = 0", "v_2 = 0"]),
                    dict(opt="rmsprop", start=["-5", "-2"], hyper={"alpha": "0.3", "gamma": "0.9", "eps": EPS6}, epochs=2,
                         pol=K4, derivs=False),
                    dict(opt="adam", start=["-5", "-2"], hyper=ADAM_REF, epochs=2, pol=K7, derivs=False)]),
    # 02: reference layout, other numbers, three slips
    dict(REF, file="02-reference-slips.md", styles=["reference-layout", "optimizer-title", "vietnamese"], correct=False,
         intro=["# Bài tập: Gradient Descent và Adam"],
         exercises=[dict(opt="gd", start=["3", "-1"], hyper={"alpha": "0.3"}, epochs=3,
                         plants=[P("arithmetic", "w_2 = -1 - 0.3 * (-4): result slip", "w", 1, 1, how="drop", value="0.1")]),
                    dict(opt="adam", start=["3", "-1"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         epochs=2, pol=K7,
                         plants=[P("substitution", "v_1 with 0.999 (beta2) written where beta1 = 0.9 belongs", "v", 2, 0, sub=("b", "hyper:beta2")),
                                 P("rounding", "s_{corr2} rounded the wrong way", "sh", 2, 1)])]),
    # 03: superscript iterates x^{(t)}, partial derivatives
    dict(file="03-superscripts.md", styles=["superscript-iterates", "gradient-names", "optimizer-title"], correct=False,
         problem="B", names=["x", "y"], wrap="dd", fam="sup", P="x", name=sup_names("g"),
         dname=lambda x: rf"\frac{{\partial f}}{{\partial {x}}}", data_name=lambda x, i: f"{x}^{{(0)}}",
         heading="## Exercise {n}: {name}", epoch="**Iteration {t}**", intro=["# Gradient descent and momentum, by hand"],
         fmt={"mult": r" \cdot "},
         exercises=[dict(opt="gd", start=["4", "-1"], hyper={"alpha": "0.1"}, epochs=3, fam="sup",
                         formulas=[r"\mathbf{x}^{(t+1)} = \mathbf{x}^{(t)} - \alpha \nabla f(\mathbf{x}^{(t)})"],
                         plants=[P("formula", "df/dy = 3y for 3y^2 (the 2 of the power forgotten)", "deriv", None, 1)]),
                    dict(opt="momentum", start=["4", "-1"], hyper={"alpha": "0.1", "beta": "0.9"}, epochs=3,
                         formulas=[r"v^{(t+1)} = \beta v^{(t)} + (1 - \beta) \nabla f(x^{(t)})", r"x^{(t+1)} = x^{(t)} - \alpha v^{(t+1)}"],
                         state=[r"v_x^{(0)} = v_y^{(0)} = 0"],
                         plants=[P("arithmetic", "x^{(2)}: the result off by 0.1", "w", 2, 0, how="add", by="0.1")])]),
    # 04: theta_1^{(t)} in LaTeX, w_1^0 data, align* blocks
    dict(file="04-superscripts-adam.tex", styles=["superscript-iterates", "align-chains", "adam-paper-names"], correct=False,
         problem="A", names=[r"\theta_1", r"\theta_2"], wrap="align", fam="sup", P=r"\theta", M1="m", M2="v",
         name=sup_names("g", "m", "v"), data_name=lambda x, i: f"{x}^0", heading=r"\section*{Exercise {n}: {name}}",
         epoch=r"\textbf{Epoch {t}:}", fmt={"mult": r" \cdot "},
         exercises=[dict(opt="adam", start=["-5", "-2"], hyper={"alpha": "0.2", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=2, state=[r"m^0 = v^0 = 0"],
                         plants=[P("rounding", "\\hat{v}_{\\theta_2}^{(2)} truncated", "sh", 2, 1, how="truncate")])]),
    # 05: theta_{t+1} = theta_t - alpha f'(theta_t), f'(\theta_0) lines, time subscripts (control)
    dict(file="05-theta-prime.md", styles=["theta-update", "gradient-names", "time-subscripts"], correct=True,
         problem="C", names=[r"\theta"], wrap="dd", fam="theta", P=r"\theta", G=r"f'(\theta_t)",
         name=time_names(r"\theta", "prime"), data_name=lambda x, i: f"{x}_0", dname=lambda x: f"f'({x})",
         heading="## Exercise {n}: {name}", epoch="Step {t}:", fmt={"mult": r" \cdot "}, approx=r"\approx",
         exercises=[dict(opt="gd", start=["0"], hyper={"alpha": "0.15"}, epochs=3),
                    dict(opt="momentum", start=["0"], hyper={"alpha": "0.2", "beta": "0.9"}, epochs=3, state=["v_0 = 0"])]),
    # 06: Adam with the paper's names m_t, v_t for one variable, m_0 = v_0 = 0
    dict(file="06-adam-paper-1d.md", styles=["adam-paper-names", "theta-update", "state-data-line", "time-subscripts"],
         correct=False, problem="C", names=[r"\theta"], wrap="dd", fam="theta", P=r"\theta", M1="m", M2="v",
         name=time_names(r"\theta", "g", "m", "v"), data_name=lambda x, i: f"{x}_0", dname=lambda x: "g_t",
         heading="## Exercise {n}: {name}", epoch="**t = {t}**", fmt={"mult": r" \cdot "}, derivs=True,
         exercises=[dict(opt="adam", start=["0"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=3, state=["m_0 = v_0 = 0"],
                         formulas=None,
                         plants=[P("formula", "bias correction forgotten: \\hat{m}_2 written equal to m_2", "vh", 2, 0, how="nobias")])]),
    # 07: decimal commas, Vietnamese, `;` between data
    dict(file="07-decimal-comma.md", styles=["decimal-comma", "reference-layout", "vietnamese"], correct=False,
         problem="A", names=["w_1", "w_2"], wrap="dd", fam="ref", name=ref_names, fmt={"comma": ",", "mult": r" \cdot "},
         sep="; ", heading="Bài {n} {name}", epoch="Vòng {t}", approx=r"\approx", **VI,
         exercises=[dict(opt="gd", start=["-5", "-2"], hyper={"alpha": "0.4"}, epochs=3,
                         plants=[P("arithmetic", "w_1 = -5 - 0,4 * (-1) written -5,4 (sign), right -4,6", "w", 1, 0, how="flip")]),
                    dict(opt="rmsprop", start=["-5", "-2"], hyper={"alpha": "0.1", "gamma": "0.9", "eps": EPS6}, epochs=2,
                         plants=[P("rounding", "w_1 rounded to the other neighbour", "w", 2, 0)])]),
    # 08: decimal commas in LaTeX {,}, align* (control)
    dict(file="08-decimal-comma-align.tex", styles=["decimal-comma", "align-chains", "vietnamese"], correct=True,
         problem="B", names=["x", "y"], wrap="align", fam="own", name=lecture_names("d"), fmt={"comma": "{,}", "mult": r" \cdot "},
         sep=r";\; ", heading=r"\section*{Bài {n}: {name}}", epoch=r"\paragraph{Vòng {t}}", steps=True, chain_rows=True,
         approx=r"\approx", **VI,
         exercises=[dict(opt="momentum", start=["2", "-1"], hyper={"alpha": "0.1", "beta": "0.8"}, epochs=2,
                         state=["v_x = v_y = 0"]),
                    dict(opt="rmsprop", start=["2", "-1"], hyper={"alpha": "0.05", "gamma": "0.9", "eps": EPS6}, epochs=2,
                         eps="outside")]),
    # 09: plain text, no delimiters
    dict(file="09-plain-text.md", styles=["plain-text", "own-name-formulas"], correct=False,
         problem="B", names=["x", "y"], wrap="plain", fam="plain", P="x", name=plain_names, hn_style="plain",
         fmt={"plain": True, "mult": "*"}, heading="Exercise {n} - {name}", epoch="Epoch {t}:", approx="≈",
         exercises=[dict(opt="gd", start=["3", "2"], hyper={"alpha": "0.1"}, epochs=2,
                         formulas=["x = x - alpha*dx", "y = y - alpha*dy"],
                         plants=[P("substitution", "dy = 6*(-2) with the sign of y = 2 dropped", "g", 1, 1, sub=("x", "neg"))]),
                    dict(opt="rmsprop", start=["3", "2"], hyper={"alpha": "0.1", "gamma": "0.9", "eps": EPS6}, epochs=2,
                         formulas=["s_x = gamma*s_x + (1 - gamma)*dx^2", "x = x - alpha*dx/sqrt(s_x + eps)"],
                         plants=[P("unreadable", "y = ?? (value not written)", "w", 1, 1, text=qq)])]),
    # 10: plain text with unicode α √, v1 = v2 = 0
    dict(file="10-plain-unicode.md", styles=["plain-text", "state-data-line"], correct=False,
         problem="A", names=["w1", "w2"], wrap="plain", fam="plain", name=plain_names, hn_style="uni",
         fmt={"plain": True, "mult": "*", "root": "unicode"}, heading="Exercise {n}: {name}", epoch="Epoch {t}", approx="≈",
         exercises=[dict(opt="momentum", start=["-5", "-2"], hyper={"alpha": "0.6", "beta": "0.5"}, epochs=2,
                         state=["v1 = v2 = 0"],
                         plants=[P("arithmetic", "w2 = -2 - 0.6*(-4): result slip", "w", 1, 1, how="drop", value="0.6")]),
                    dict(opt="rmsprop", start=["-5", "-2"], hyper={"alpha": "0.3", "gamma": "0.9", "eps": EPS6}, epochs=2,
                         state=["s1 = s2 = 0"],
                         plants=[P("notation", "stated √(s + ε), computed √s + ε", "w", 2, 0, how="eps")])]),
    # 11: math inside sentences
    dict(file="11-sentences.md", styles=["inline-math", "gradient-names"], correct=False,
         problem="D", names=["x", "y"], wrap="sentence", fam="own", name=lecture_names("g"), fmt={"mult": r" \cdot "},
         heading="## Exercise {n}: {name}", epoch="In step {t}:", approx=r"\approx",
         f_sentence="We minimise ${}$.", data_sentence="We start from ${}$.",
         sentences={"g": ["The gradient is ${}$.", "Its partner is ${}$."],
                    "v": ["The velocity becomes ${}$.", "and ${}$."],
                    "w": ["So ${}$ after step {t}.", "and ${}$ after step {t}."]},
         exercises=[dict(opt="gd", start=["3", "1"], hyper={"alpha": "0.1"}, epochs=2,
                         plants=[P("arithmetic", "x = 3 - 0.1 * 4 written 2.4, right 2.6", "w", 1, 0, how="flip")]),
                    dict(opt="momentum", start=["3", "1"], hyper={"alpha": "0.1", "beta": "0.9"}, epochs=3,
                         plants=[P("substitution", "v_y of step 2 uses step 1's gradient", "v", 2, 1, sub=("g", "stale"))])]),
    # 12: $...$ alone on each line, cross term, g_x names, Adagrad (control)
    dict(file="12-inline-alone.md", styles=["inline-math", "gradient-names"], correct=True,
         problem="E", names=["x_1", "x_2"], wrap="inline", fam="own", name=lecture_names("g"), fmt={"mult": r" \cdot "},
         heading="### Problem {n} ({name})", epoch="*Epoch {t}*", steps=True, approx=r"\approx",
         exercises=[dict(opt="gd", start=["1", "-1"], hyper={"alpha": "0.2"}, epochs=2),
                    dict(opt="adagrad", start=["1", "-1"], hyper={"alpha": "0.5", "eps": EPS8}, epochs=2, eps="outside")]),
    # 13: vector updates in Markdown
    dict(file="13-vectors.md", styles=["vector-updates", "gradient-names"], correct=False,
         problem="A", names=["w_1", "w_2"], wrap="dd", fam="vec", P="w", vector=True, name=vec_names("(w_1, w_2)"),
         deriv_vector=r"\nabla f", dname=lambda x: "d" + x, fmt={"mult": r" \cdot "}, heading="## Exercise {n}: {name}",
         epoch="**Epoch {t}**", approx=r"\approx",
         exercises=[dict(opt="gd", start=["-5", "-2"], hyper={"alpha": "0.4"}, epochs=2,
                         plants=[P("arithmetic", "(w_1, w_2) = (-5, -2) - 0.4(-1, -8): second component written 1, right 1.2",
                                   "w", 1, None, component=1, value="1")]),
                    dict(opt="momentum", start=["-5", "-2"], hyper={"alpha": "0.6", "beta": "0.5"}, epochs=2,
                         state=[r"\mathbf{v} = (0, 0)"])]),
    # 14: vector updates in LaTeX, w_{t+1} = w_t - alpha grad f (control)
    dict(file="14-vectors.tex", styles=["vector-updates", "theta-update"], correct=True,
         problem="B", names=["x", "y"], wrap="br", fam="vec", P="x", vector=True, name=vec_names(r"\mathbf{x}", r"\nabla f(\mathbf{x})"),
         deriv_vector=r"\nabla f(x, y)", fmt={"mult": ""}, heading=r"\section*{Exercise {n}: {name}}",
         epoch=r"\textbf{Iteration {t}.}", steps=True, approx=r"\approx",
         exercises=[dict(opt="gd", start=["1", "1"], hyper={"alpha": "0.1"}, epochs=3)]),
    # 15: align* chains with &= rows, partial derivatives, cross term
    dict(file="15-align-chains.tex", styles=["align-chains", "gradient-names"], correct=False,
         problem="E", names=["x_1", "x_2"], wrap="align", fam="own", name=lecture_names("partial"), fmt={"mult": r" \cdot "},
         heading=r"\subsection*{Exercise {n}: {name}}", epoch=r"\textbf{Epoch {t}:}", steps=True, chain_rows=True,
         approx=r"\approx",
         exercises=[dict(opt="gd", start=["2", "1"], hyper={"alpha": "0.1"}, epochs=2,
                         plants=[P("arithmetic", "chain x_1: 2 - 0.1 * 5 = 2 + 0.5 (sign of the step flipped in the chain)",
                                   "w", 1, 0, how="step")]),
                    dict(opt="momentum", start=["2", "1"], hyper={"alpha": "0.1", "beta": "0.9"}, epochs=2,
                         state=[r"v_{x_1} = v_{x_2} = 0"],
                         plants=[P("formula", "v_{x_2}: beta = 0.9 where 1 - beta = 0.1 belongs", "v", 1, 1, how="beta-swap")])]),
    # 16: Adam in align*, the paper's names, large values
    dict(file="16-align-adam-large.tex", styles=["align-chains", "adam-paper-names", "large-values"], correct=False,
         problem="G", names=["w_1", "w_2"], wrap="align", fam="theta", P=r"\mathbf{w}", M1="m", M2="v",
         name=lecture_names("g", "m", "v"), fmt={"mult": r" \times "}, heading=r"\section*{Exercise {n}: {name}}",
         epoch=r"\textbf{Epoch {t}:}", approx=r"\approx", chain_rows=True, steps=True,
         exercises=[dict(opt="adam", start=["120", "-150"], hyper={"alpha": "0.5", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=2, state=[r"m_{w_1} = m_{w_2} = v_{w_1} = v_{w_2} = 0"],
                         plants=[P("formula", "\\hat{m}_{w_1} at t = 2 divided by 1 - 0.9 instead of 1 - 0.9^2", "vh", 2, 0, how="bias-t"),
                                 P("unreadable", "w_2 line broken off: -150 - 0.5 \\times (", "w", 1, 1, text=cut)])]),
    # 17: formulas in the variables' own names, x := x - eta g_x
    dict(file="17-own-names.md", styles=["own-name-formulas", "optimizer-title"], correct=False,
         problem="D", names=["x", "y"], wrap="dd", fam="own", name=lecture_names("d"), assign=" := ", fmt={"mult": r" \cdot "},
         hn={"alpha": r"\eta"}, heading="## Exercise {n}: {name}", epoch="**Epoch {t}**", approx=r"\approx",
         intro=["# RMSProp homework"],
         exercises=[dict(opt="gd", start=["-1", "0"], hyper={"alpha": "0.3"}, epochs=2),
                    dict(opt="rmsprop", start=["-1", "0"], hyper={"alpha": "0.2", "gamma": "0.9", "eps": EPS6}, epochs=3,
                         eps="outside",
                         plants=[P("rounding", "s_x truncated instead of rounded", "s", 3, 0, how="truncate")])]),
    # 18: RMSProp with v_t as the second moment, LaTeX brackets
    dict(file="18-rmsprop-v.tex", styles=["adam-paper-names", "own-name-formulas", "vietnamese"], correct=False,
         problem="B", names=["x", "y"], wrap="br", fam="own", name=lecture_names("g", "m", "v"), own_s=lambda x: f"v_{sub(x)}",
         hn={"gamma": r"\beta"}, fmt={"mult": r" \cdot "}, heading=r"\section*{Bài {n}: {name}}",
         epoch=r"\textbf{Vòng {t}:}", approx=r"\approx", **VI,
         exercises=[dict(opt="rmsprop", start=["1", "1"], hyper={"alpha": "0.1", "gamma": "0.9", "eps": EPS8}, epochs=3,
                         plants=[P("substitution", "v_x with 0.99 where beta = 0.9 belongs", "s", 2, 0, sub=("b", "0.99"))])]),
    # 19: Adam with the bias correction inside the update (control)
    dict(file="19-inline-bias.md", styles=["inline-bias-correction", "reference-layout"], correct=True,
         problem="A", names=["w_1", "w_2"], wrap="dd", fam="ref", name=ref_names, inline_bias=True, fmt={"mult": r" \cdot "},
         heading="## Exercise {n}: {name}", epoch="Epoch {t}:", approx=r"\approx", derivs=True,
         exercises=[dict(opt="adam", start=["-5", "-2"], hyper=ADAM_REF, epochs=3, eps="outside",
                         formulas=[r"V_t = \beta_1 V_{t-1} + (1 - \beta_1) dW_t", r"S_t = \beta_2 S_{t-1} + (1 - \beta_2) dW_t^2",
                                   r"W_t = W_{t-1} - \alpha \cdot \frac{V_t/(1 - \beta_1^t)}{\sqrt{S_t/(1 - \beta_2^t)} + \epsilon}"])]),
    # 20: inline bias correction with decimal commas, \dfrac
    dict(file="20-inline-bias-comma.tex", styles=["inline-bias-correction", "decimal-comma", "vietnamese"], correct=False,
         problem="G", names=["w_1", "w_2"], wrap="br", fam="theta", P="w", M1="v", M2="s", name=ref_names, inline_bias=True,
         fmt={"comma": "{,}", "mult": r" \cdot ", "frac": r"\dfrac"}, sep=r";\quad ", heading=r"\section*{Bài {n}: {name}}",
         epoch=r"\textbf{Vòng {t}:}", approx=r"\approx", **VI,
         exercises=[dict(opt="adam", start=["100", "-80"], hyper={"alpha": "0.5", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=2,
                         plants=[P("arithmetic", "w_1 = 100 - 0.5 * ... written 95.5, right 99.5", "w", 1, 0, how="add", by="-4")])]),
    # 21: RMSProp on a quartic in the lecture's names (v_t second moment), a typo name
    dict(file="21-rmsprop-quartic.md", styles=["adam-paper-names", "theta-update", "time-subscripts"], correct=False,
         problem="F", names=["x"], wrap="dd", fam="theta", P="x", M2="v", name=time_names("x", "g", "m", "v"),
         data_name=lambda x, i: f"{x}_0", dname=lambda x: "g", hn={"gamma": r"\beta", "alpha": r"\eta"},
         fmt={"mult": r" \cdot "}, heading="## Exercise {n}: {name}", epoch="**Step {t}**", approx=r"\approx", steps=True,
         exercises=[dict(opt="rmsprop", start=["2"], hyper={"alpha": "0.1", "gamma": "0.9", "eps": EPS8}, epochs=3,
                         state=["v_0 = 0"],
                         plants=[P("notation", "x_2 written y_2 (a name not in the problem)", "w", 2, 0, as_="y_2")])]),
    # 22: a quartic by GD and momentum, f'(x), x_{t+1} = x_t - ...
    dict(file="22-quartic-prime.md", styles=["gradient-names", "theta-update", "time-subscripts"], correct=False,
         problem="F", names=["x"], wrap="dd", fam="theta", P="x", G=r"f'(x_t)", name=time_names("x", "prime"),
         data_name=lambda x, i: f"{x}_0", dname=lambda x: f"f'({x})", fmt={"mult": ""}, heading="## Exercise {n}: {name}",
         epoch="Epoch {t}:", approx="=", steps=True,
         exercises=[dict(opt="gd", start=["2.5"], hyper={"alpha": "0.05"}, epochs=3,
                         plants=[P("formula", "f'(x) = x^3 - x (the 2 of -x^2 forgotten)", "deriv", None, 0)]),
                    dict(opt="momentum", start=["2.5"], hyper={"alpha": "0.05", "beta": "0.8"}, epochs=2, state=["v_0 = 0"],
                         plants=[P("arithmetic", "v_2 chain: the sign of the second term flipped", "v", 2, 0, how="step")])]),
    # 23: large values, 4 significant figures, the reference layout (control)
    dict(REF, file="23-large-sigfigs.md", styles=["reference-layout", "large-values", "optimizer-title"], correct=True,
         problem="G", intro=["# Gradient Descent and Adam on a wide bowl"], approx=r"\approx", lang="en",
         heading="## Exercise {n}: {name}", sym_hat=False,
         exercises=[dict(opt="gd", start=["120", "-150"], hyper={"alpha": "0.8"}, epochs=3, pol=S4),
                    dict(opt="adam", start=["120", "-150"], hyper={"alpha": "0.5", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         epochs=2, pol=S4)]),
    # 24: significant figures, superscripts, cross term
    dict(file="24-sigfigs-superscripts.md", styles=["superscript-iterates", "state-data-line"], correct=False,
         problem="H", names=[r"\theta_1", r"\theta_2"], wrap="dd", fam="sup", P=r"\theta", name=sup_names("g"),
         data_name=lambda x, i: f"{x}^{{(0)}}", fmt={"mult": r" \times "}, heading="## Exercise {n}: {name}",
         epoch="**Epoch {t}**", approx=r"\approx",
         exercises=[dict(opt="momentum", start=["1", "2"], hyper={"alpha": "0.3", "beta": "0.7"}, epochs=3, pol=S4,
                         state=[r"v_1^{(0)} = v_2^{(0)} = 0"],
                         plants=[P("rounding", "theta_2 at epoch 2 rounded to the wrong neighbour", "w", 2, 1)]),
                    dict(opt="adam", start=["1", "2"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.99", "eps": EPS8},
                         epochs=2, pol=S4, eps="outside", state=[r"v^{(0)} = s^{(0)} = 0"],
                         plants=[P("substitution", "s_{\\theta_1}^{(2)}: 0.9 written where beta_2 = 0.99 belongs", "s", 2, 0,
                                   sub=("b", "hyper:beta1"))])]),
    # 25: Adagrad, g_1 names, s_1 = s_2 = 0, tiny values
    dict(file="25-adagrad.md", styles=["gradient-names", "state-data-line", "tiny-values"], correct=False,
         problem="A", names=["w_1", "w_2"], wrap="dd", fam="ref", fmt={"mult": r" \cdot "},
         name=lambda q, x, i, t: {"g": f"g_{i + 1}", "s": f"s_{i + 1}", "w": f"w_{i + 1}"}[q],
         heading="## Exercise {n}: {name}", epoch="Epoch {t}:", approx="=",
         exercises=[dict(opt="adagrad", start=["-0.05", "0.5"], hyper={"alpha": "0.01", "eps": EPS8}, epochs=3,
                         state=["s_1 = s_2 = 0"],
                         plants=[P("arithmetic", "s_1 written ten times too large", "s", 2, 0, how="x10")])]),
    # 26: Adagrad with epsilon inside, LaTeX, decimal commas (control)
    dict(file="26-adagrad-comma.tex", styles=["decimal-comma", "own-name-formulas"], correct=True,
         problem="D", names=["x", "y"], wrap="br", fam="own", name=lecture_names("d"), fmt={"comma": "{,}", "mult": r" \cdot "},
         sep="; ", heading=r"\section*{Bài {n}: {name}}", epoch=r"\textbf{Vòng {t}}", approx=r"\approx", **VI,
         exercises=[dict(opt="adagrad", start=["0", "0"], hyper={"alpha": "0.5", "eps": EPS6}, epochs=3, eps="inside")]),
    # 27: \times, \left( \right), \dfrac, cross term, a wrong derivative before the epochs
    dict(file="27-times-dfrac.md", styles=["gradient-names", "adam-paper-names"], correct=False,
         problem="E", names=["x_1", "x_2"], wrap="dd", fam="theta", P=r"\mathbf{x}", M1="m", M2="v",
         name=lecture_names("partial", "m", "v"), fmt={"mult": r" \times ", "frac": r"\dfrac"},
         heading="## Exercise {n}: {name}", epoch="**Epoch {t}**", approx=r"\approx",
         exercises=[dict(opt="adam", start=["1", "2"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=2,
                         plants=[P("formula", "df/dx_1 = 2x_1 (the x_2 of the cross term forgotten)", "deriv", None, 0)])]),
    # 28: three exercises, Vietnamese title naming optimizers, a typo name and an unfinished line
    dict(REF, file="28-three-exercises.md", styles=["optimizer-title", "reference-layout", "vietnamese"], correct=False,
         intro=["# Bài tập về nhà: Gradient Descent, RMSProp và Adam"], fmt={"mult": r" \cdot "}, paren_num=False,
         approx=r"\approx",
         exercises=[dict(opt="gd", start=["-4", "1"], hyper={"alpha": "0.2"}, epochs=2,
                         plants=[P("unreadable", "w_1 = -3.84 - 0.2 \\cdot ( broken off", "w", 2, 0, text=cut)]),
                    dict(opt="rmsprop", start=["-4", "1"], hyper={"alpha": "0.1", "gamma": "0.9", "eps": EPS6}, epochs=2,
                         derivs=False),
                    dict(opt="adam", start=["-4", "1"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "eps": EPS6},
                         epochs=2, derivs=False,
                         plants=[P("notation", "v_{corr1} written v_{cor1}", "vh", 1, 0, as_="v_{cor1}")])]),
    # 29: \textbf{Epoch}, \[ \], f(theta) RMSProp, \tfrac
    dict(file="29-textbf-rmsprop.tex", styles=["theta-update", "time-subscripts"], correct=False,
         problem="C", names=[r"\theta"], wrap="br", fam="theta", P=r"\theta", name=time_names(r"\theta", "g", "v", "s"),
         data_name=lambda x, i: f"{x}_0", dname=lambda x: "g_t", fmt={"mult": r" \cdot ", "frac": r"\tfrac"},
         heading=r"\section*{Exercise {n}: {name}}", epoch=r"\textbf{Epoch {t}:}", approx=r"\approx",
         exercises=[dict(opt="rmsprop", start=["5"], hyper={"alpha": "0.5", "gamma": "0.9", "eps": EPS6}, epochs=3,
                         state=["s_0 = 0"],
                         plants=[P("rounding", "theta_2 rounded the wrong way", "w", 2, 0)])]),
    # 30: per-variable order, w_{1}^{2} for w_1 at epoch 2
    dict(file="30-per-variable.md", styles=["superscript-iterates", "state-data-line", "reference-layout"], correct=False,
         problem="A", names=["w_1", "w_2"], wrap="dd", fam="ref", name=sup_names("d", form="{t}"), order="var",
         fmt={"mult": r" \cdot "}, heading="## Exercise {n}: {name}", epoch="Epoch {t}:", approx=r"\approx",
         dname=lambda x: "d" + x,
         exercises=[dict(opt="momentum", start=["-5", "-2"], hyper={"alpha": "0.3", "beta": "0.9"}, epochs=3,
                         state=["v_1 = v_2 = 0"],
                         plants=[P("substitution", "v_{1}^{2}: the sign of dw_{1}^{2} dropped", "v", 2, 0,
                                   sub=("g", "neg"))])]),
    # 31: plain text Adam with m, v names
    dict(file="31-plain-adam.md", styles=["plain-text", "adam-paper-names", "state-data-line"], correct=False,
         problem="B", names=["x", "y"], wrap="plain", fam="plain", P="x", name=plain_adam_names, hn_style="plain",
         fmt={"plain": True, "mult": "*"}, heading="Exercise {n}: {name}", epoch="Iteration {t}", approx="≈", derivs=True,
         dname=lambda x: f"g_{x}",
         exercises=[dict(opt="adam", start=["1", "-1"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=2, state=["m_x = m_y = 0", "v_x = v_y = 0"],
                         formulas=["m = beta1*m + (1 - beta1)*g", "v = beta2*v + (1 - beta2)*g^2", "mhat = m/(1 - beta1^t)",
                                   "vhat = v/(1 - beta2^t)", "x = x - alpha*mhat/(sqrt(vhat) + eps)"],
                         plants=[P("formula", "vhat_y = v_y (bias correction forgotten)", "sh", 1, 1, how="nobias"),
                                 P("arithmetic", "x at iteration 2 off by 0.1", "w", 2, 0, how="add", by="0.1")])]),
    # 32: vectors inside sentences (control)
    dict(file="32-vector-sentences.md", styles=["vector-updates", "inline-math"], correct=True,
         problem="D", names=["x", "y"], wrap="sentence", fam="vec", P="x", vector=True, name=vec_names("(x, y)"),
         deriv_vector=r"\nabla f(x, y)", fmt={"mult": r" \cdot "}, heading="## Exercise {n}: {name}",
         epoch="Iteration {t}.", approx=r"\approx", f_sentence="The function is ${}$.", data_sentence="Start: ${}$.",
         sentences={"g": ["The gradient is ${}$."], "v": ["The velocity is ${}$."], "w": ["So ${}$ after step {t}."]},
         exercises=[dict(opt="momentum", start=["0", "0"], hyper={"alpha": "0.5", "beta": "0.5"}, epochs=3,
                         state=["v = (0, 0)"])]),
    # 33: g_x names in LaTeX brackets, GD and Adagrad, a wrong learning rate
    dict(file="33-gnames-tex.tex", styles=["gradient-names", "own-name-formulas", "optimizer-title"], correct=False,
         problem="H", names=["x", "y"], wrap="br", fam="own", name=lecture_names("g"), assign=" := ", hn={"alpha": r"\eta"}, fmult=r" \, ",
         fmt={"mult": r" \cdot "}, heading=r"\subsection*{Exercise {n}: {name}}", epoch=r"\textbf{Step {t}.}", approx=r"\approx",
         intro=[r"\section*{Homework: Gradient Descent and Adagrad}"],
         exercises=[dict(opt="gd", start=["1", "-1"], hyper={"alpha": "0.1"}, epochs=2,
                         plants=[P("substitution", "y: 0.01 written where eta = 0.1", "w", 2, 1, sub=("a", "0.01"))]),
                    dict(opt="adagrad", start=["1", "-1"], hyper={"alpha": "0.1", "eps": EPS8}, epochs=2, eps="outside")]),
    # 34: the lecture's Adam, epsilon outside stated, one line computed with it inside
    dict(file="34-adam-lecture.md", styles=["adam-paper-names", "theta-update", "decimal-comma"], correct=False,
         problem="B", names=["x", "y"], wrap="dd", fam="theta", P=r"\theta", M1="m", M2="v", name=lecture_names("g", "m", "v"),
         fmt={"comma": ",", "mult": r" \cdot "}, sep="; ", heading="## Exercise {n}: {name}", epoch="Epoch {t}:",
         approx=r"\approx", intro=[r"Here $\theta = (x, y)$."],
         exercises=[dict(opt="adam", start=["2", "-1"], hyper={"alpha": "0.1", "beta1": "0.9", "beta2": "0.999", "eps": "0.1"},
                         eps="outside", epochs=2, state=["m_x = m_y = v_x = v_y = 0"],
                         plants=[P("notation", "stated sqrt(v) + eps, y's step computed sqrt(v + eps)", "w", 1, 1, how="eps")])]),
    # 35: the problem statement left to the handout: no f, no epsilon (spec given)
    dict(REF, file="35-no-statement.md", styles=["reference-layout", "spec-needed"], correct=False, state_f=False,
         problem="A", intro=["Bài làm (đề bài xem trong tài liệu)"], fmt={"mult": r" \cdot "}, paren_num=False,
         approx=r"\approx", derivs=True,
         spec="35-no-statement.toml",
         exercises=[dict(opt="momentum", start=["-5", "-2"], hyper={"alpha": "0.4", "beta": "0.9"}, epochs=3,
                         plants=[P("formula", "v_2: beta where 1 - beta belongs", "v", 2, 1, how="beta-swap")])]),
    # 36: Adam, sig figs, inline $...$, epsilon not on the data line (spec given)
    dict(file="36-adam-spec.md", styles=["inline-math", "adam-paper-names", "spec-needed", "tiny-values"], correct=True,
         problem="A", names=["w_1", "w_2"], wrap="inline", fam="theta", P="w", M1="m", M2="v", name=lecture_names("g", "m", "v"),
         fmt={"mult": r" \cdot "}, heading="## Exercise {n}: {name}", epoch="Epoch {t}:", approx=r"\approx",
         spec="36-adam-spec.toml",
         exercises=[dict(opt="adam", start=["0.5", "-0.1"], hyper={"alpha": "0.01", "beta1": "0.9", "beta2": "0.999", "eps": EPS8},
                         eps="outside", epochs=2, pol=S4, hide=["eps"])]),
]

SPECS = {
    "35-no-statement.toml": """# The student's sheet leaves the problem to the handout: f and the start are here.
function = "0.1*w1**2 + 2*w2**2"

[[exercise]]
optimizer = "momentum"
hyper = { alpha = 0.4, beta = 0.9 }
start = { w1 = -5, w2 = -2 }
epochs = 3
""",
    "36-adam-spec.toml": """# The student did not copy epsilon onto the data line.
function = "0.1*w1**2 + 2*w2**2"

[[exercise]]
optimizer = "adam"
hyper = { alpha = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 }
options = { eps_placement = "outside" }
start = { w1 = 0.5, w2 = -0.1 }
epochs = 2
""",
}


def build(out: Path) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    manifest = []
    for cfg in DOCS:
        for ex in cfg["exercises"]:
            if ex.get("hide"):  # hyperparameters the student left off the data line
                ex.setdefault("hide_keys", ex["hide"])
        w = Writer(cfg)
        text = w.write()
        names_planted = {(p["line"], p["kind"]) for p in w.planted}
        wanted = sum(len(ex.get("plants", [])) for ex in cfg["exercises"])
        assert len(w.planted) == wanted == len(names_planted), (cfg["file"], w.planted)
        assert cfg["correct"] == (not w.planted), cfg["file"]
        (out / cfg["file"]).write_text(text, encoding="utf-8")
        if cfg.get("spec"):
            (out / cfg["spec"]).write_text(SPECS[cfg["spec"]], encoding="utf-8")
        manifest.append({"file": cfg["file"], "spec": cfg.get("spec"), "style": cfg["styles"], "correct": cfg["correct"],
                         "lines": w.judged, "planted": w.planted})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
