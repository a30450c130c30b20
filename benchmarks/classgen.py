"""Generate a class of N complete submissions with a realistic, reproducible mix.

    python benchmarks/classgen.py N OUT_DIR [--seed S]

Every submission defines every function of the catalogue (it is complete); what differs:

- ~60 % are right: `submissions/correct.py`, or (one in ten) `benchmarks/data/torch_submission.py`
  (chapter 3 in PyTorch);
- ~40 % are partly wrong: 1 to 3 functions replaced by catalogued mistakes
  (`reference/mistakes/`, the capstone's excepted), so some checks fail, get
  shrunk and diagnosed; a wrong `sigmoid` or `softmax` also breaks the functions that use it;
- one in a hundred (students 50, 150, …) times out: its `minibatches` forgets to advance its
  loop (`while start < n:` never ends) and is killed at the exercise's time limit (10 s).

Each file starts with a comment naming its student, so no two files are the same.
"""

from __future__ import annotations

import argparse
import ast
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "exercises"
REFERENCE = ROOT / "reference"
CORRECT = ROOT / "submissions" / "correct.py"
TORCH = ROOT / "benchmarks" / "data" / "torch_submission.py"

TIMEOUT_EVERY, TIMEOUT_AT = 100, 50
WRONG_SHARE = 0.4
TORCH_SHARE = 0.1

ENDLESS_MINIBATCHES = '''

def minibatches(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    batches, start = [], 0
    while start < n:              # start is never advanced: an endless loop
        batch = order[start:start + batch_size]
        if len(batch) == 0:
            break
    return batches
'''


def _mistakes_by_exercise() -> dict[str, list[tuple[str, str]]]:
    """exercise id → [(mistake function, its module)], from the specs (capstone excepted)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(COURSE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "exercises" not in data or data.get("reference") == "capstone":
            continue  # assignments.yaml holds no exercises
        for ex in data["exercises"]:
            module = data.get("mistakes") or data["reference"]
            found[ex["id"]] = [(m["function"], module) for m in ex.get("mistakes") or []]
    return {k: v for k, v in found.items() if v}


def _mistake_source(function: str, module: str, exercise: str, cache: dict) -> str:
    """The mistake's source renamed to the exercise, with the private helpers it needs."""
    if module not in cache:
        text = (REFERENCE / "mistakes" / f"{module}.py").read_text(encoding="utf-8")
        tree = ast.parse(text)
        defs = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.Assign)):
                names = ([node.name] if isinstance(node, ast.FunctionDef)
                         else [t.id for t in node.targets if isinstance(t, ast.Name)])
                for name in names:
                    defs[name] = (node, ast.get_source_segment(text, node))
        cache[module] = defs
    defs = cache[module]
    needed, todo = [], [function]
    while todo:
        name = todo.pop()
        if name in needed or name not in defs:
            continue
        needed.append(name)
        node = defs[name][0]
        todo += [n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id.startswith("_")]
    parts = []
    for name in reversed(needed):
        source = defs[name][1]
        if name == function:
            source = source.replace(f"def {function}(", f"def {exercise}(", 1)
        parts.append(source)
    return "\n\n\n".join(parts)


def generate(count: int, out: Path, seed: int = 2026) -> dict[str, int]:
    """Write `count` submissions into `out`; returns how many of each kind."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    mistakes = _mistakes_by_exercise()
    exercises = sorted(mistakes)
    correct, torch_based = CORRECT.read_text(encoding="utf-8"), TORCH.read_text(encoding="utf-8")
    cache: dict = {}
    kinds = {"right": 0, "partly_wrong": 0, "timeout": 0, "torch": 0}
    for i in range(count):
        uses_torch = rng.random() < TORCH_SHARE
        source = f"# student {i:04d}\n" + (torch_based if uses_torch else correct)
        kinds["torch"] += uses_torch
        if i % TIMEOUT_EVERY == TIMEOUT_AT:
            source += ENDLESS_MINIBATCHES
            kinds["timeout"] += 1
        elif rng.random() < WRONG_SHARE:
            for exercise in rng.sample(exercises, rng.randint(1, 3)):
                function, module = rng.choice(mistakes[exercise])
                source += "\n\n# ---- a mistake\n" + _mistake_source(function, module, exercise, cache) + "\n"
            kinds["partly_wrong"] += 1
        else:
            kinds["right"] += 1
        (out / f"s{i:04d}.py").write_text(source, encoding="utf-8")
    return kinds


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    print(generate(options.count, options.out, options.seed))
