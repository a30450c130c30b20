"""Private plans: the inputs the instructor's run grades on, which no student pack reveals.

A private plan is drawn like a public one but with the seed derived from the course secret
(grader.secret), without the drawn cases the public plan has too (Hypothesis begins every
seed's draw with the same simplest inputs: those are replaced by further draws), and its edge
cases are the spec's moved around their kinks and magnitudes
(grader.plan.jitter) by numbers derived from the secret too. A moved case is kept only when it
still means what the spec's case meant (the `keeps` callback: grader.judge.meaning, with the
reference and the catalogued mistakes); when no candidate does, the spec's own case stays, and
the plan says which (`still_public`).

Private plans are pinned once, in the secret's folder (`plans/<exercise>.bin`, beside the secret),
so every copy of that folder grades on the same inputs whatever Hypothesis and NumPy it has: the
instructor's machine, a TA's laptop, the Gradescope autograder. A secret given by value
($GRADER_SECRET) has no folder: its plans are drawn into the cache instead.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from ..secret import Secret
from ..spec.schema import Exercise
from .. import codec
from . import (DEFAULT_SEED, Case, Plan, _load_cached, cache_dir, draw, draw_plan, edge_cases,
               make_plan, pinned_key, store_in_cache)
from .jitter import jitter_case

#: candidates tried per edge case: three at full strength, then closer ones
ATTEMPTS = 9
#: further draws (with other seeds) that replace drawn cases the public plan has too
TOP_UPS = 6
FORMAT = 1
Keeps = Callable[[Exercise, Case, Case], bool]


@functools.lru_cache(maxsize=1)
def _jitter_code_digest() -> str:
    digest = hashlib.sha256(f"{FORMAT};{ATTEMPTS}".encode())
    digest.update((Path(__file__).parent / "jitter.py").read_bytes())
    digest.update(inspect.getsource(moved_edge_cases).encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _top_up_code_digest() -> str:
    return hashlib.sha256(f"{TOP_UPS};{inspect.getsource(_without_public)}".encode()).hexdigest()


def random_key(exercise: Exercise, seed: int) -> str:
    """What a private plan's drawn cases answer for: as a pinned public plan's, and the code
    that keeps the public plan's cases out of them."""
    return hashlib.sha256(f"{pinned_key(exercise, seed)};{_top_up_code_digest()}".encode()).hexdigest()


def edge_key(exercise: Exercise, secret: Secret) -> str:
    """What a private plan's edge cases answer for: the spec's cases and what judges them (the
    arguments, the tolerance, the mistakes listed), the moving code, and the secret."""
    material = {"code": _jitter_code_digest(), "edge": repr(exercise.edge_cases),
                "args": {k: asdict(v) for k, v in exercise.args.items()},
                "tolerance": asdict(exercise.tolerance),
                "mistakes": [m.function for m in exercise.mistakes],
                "secret": secret.fingerprint}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def _key(case: Case) -> bytes:
    return hashlib.blake2b(codec.encode(case), digest_size=16).digest()


def _without_public(exercise: Exercise, drawn: dict[str, list[Case]], seed: int) -> dict[str, list[Case]]:
    """The drawn cases minus those the public plan has as well (Hypothesis starts every seed's
    draw with the same simplest inputs: all zeros, uniform rows), whose answers a student pack
    records; replaced by further draws, each set keeping its size (where the domain holds too
    few other inputs, the public ones make it up)."""
    public = make_plan(exercise, DEFAULT_SEED)
    known = {_key(c) for c in public.random + public.smooth + public.edge}
    result = {}
    for name, cases in drawn.items():
        smooth, wanted = name == "smooth", len(cases)
        kept = [c for c in cases if _key(c) not in known]
        shared = [c for c in cases if _key(c) in known]
        known.update(_key(c) for c in kept)
        for top_up in range(1, TOP_UPS + 1):
            if len(kept) >= wanted:
                break
            more = draw(exercise, 2 * (wanted - len(kept)) + 10, (seed + 7919 * top_up) % 2**32, smooth)
            for case in more:
                if len(kept) < wanted and _key(case) not in known:
                    kept.append(case)
                    known.add(_key(case))
        # a domain too small for other inputs (no arguments, seed 0 only): the public ones
        result[name] = kept + shared[:wanted - len(kept)]
    return result


def _strength(attempt: int) -> float:
    return 0.5 ** (attempt // 3)


def moved_edge_cases(exercise: Exercise, secret: Secret, keeps: Keeps) -> tuple[list[Case], list[int]]:
    """The exercise's edge cases, each replaced by the first moved copy that keeps its meaning;
    and the indices of those that stay as the spec has them although they could move."""
    cases, still_public = [], []
    for index, case in enumerate(edge_cases(exercise)):
        chosen = case
        for attempt in range(ATTEMPTS):
            stream = secret.uniforms("edge", exercise.id, str(index), str(attempt))
            candidate = jitter_case(exercise, case, stream, _strength(attempt))
            if candidate is None:  # nothing in it moves (zeros, labels, integers)
                break
            if keeps(exercise, case, candidate):
                chosen = candidate
                break
        else:
            still_public.append(index)
        cases.append(chosen)
    return cases, still_public


def private_plans_dir(secret: Secret) -> Path:
    """The secret's folder's plans/, or for a secret given by value a folder of the cache."""
    return secret.private_plans() or cache_dir() / "private" / secret.fingerprint


def private_plan_path(exercise: Exercise, secret: Secret, hidden: bool = False) -> Path:
    return private_plans_dir(secret) / f"{exercise.id}{'.hidden' if hidden else ''}.bin"


def private_plan(exercise: Exercise, secret: Secret, seed: int, keeps: Keeps | None,
                 hidden: bool = False) -> Plan:
    """The exercise's private plan drawn with `seed` (the secret's, or the hidden checks' seed
    derived from it): pinned if current, else drawn, moved and pinned now. `keeps` judges moved
    edge cases; without it (no reference here) a stale plan cannot be made: the spec's cases."""
    path = private_plan_path(exercise, secret, hidden)
    loaded = _load_cached(path) if path.exists() else None
    # a private plan's file also holds its keys and which edge cases stayed public
    stored: dict[str, Any] = dict(loaded) if isinstance(loaded, dict) else {}
    drawn_key, moved_key = random_key(exercise, seed), edge_key(exercise, secret)
    changed = False
    if stored.get("key") != drawn_key:
        stored = {"key": drawn_key, **_without_public(exercise, draw_plan(exercise, seed), seed)}
        changed = True
    if stored.get("edge_key") != moved_key and keeps is not None:
        edge, still_public = moved_edge_cases(exercise, secret, keeps)
        stored.update(edge_key=moved_key, edge=edge, still_public=still_public)
        changed = True
    if changed:
        store_in_cache(path, stored)
    pinned_edge = stored.get("edge") if stored.get("edge_key") == moved_key else None
    return Plan(exercise=exercise.id, seed=seed, random=list(stored.get("random") or []),
                smooth=list(stored.get("smooth") or []),
                edge=list(pinned_edge) if pinned_edge is not None else edge_cases(exercise))


def still_public(exercise: Exercise, secret: Secret) -> list[int] | None:
    """The edge cases of a pinned private plan that could not move, or None when not pinned."""
    stored: dict[str, Any] | None = _load_cached(private_plan_path(exercise, secret))
    if not isinstance(stored, dict) or stored.get("edge_key") != edge_key(exercise, secret):
        return None
    return [int(i) for i in stored.get("still_public") or []]
