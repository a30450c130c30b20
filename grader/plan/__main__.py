"""`python -m grader.plan [--exercises DIR] [ID ...]`: pin the plans of an exercise set.

A maintainer's step after changing a spec's arguments or the drawing code: the pinned plans in
`plans/` beside the specs make every machine grade on the same inputs, whatever Hypothesis and
NumPy it has installed, and spare a fresh install the first drawing.
"""

from __future__ import annotations

import argparse

from . import DEFAULT_SEED, pin_plan
from ..spec import load_exercise_set


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m grader.plan", description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="exercises (default: all)")
    parser.add_argument("--exercises", default=None, help="exercise set folder (default: the shipped one)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    exercises = load_exercise_set(args.exercises).select(tuple(args.ids))
    for exercise in exercises:
        print(pin_plan(exercise, args.seed))
    _pin_oracles(args.exercises, args.seed, [ex.id for ex in exercises if
                                             any(c.kind == "trajectory" for c in ex.checks)])


def _pin_oracles(exercise_set: str | None, seed: int, ids: list[str]) -> None:
    """Judge the reference once with torch.optim's paths written beside the pinned plans."""
    from ..pinning import pin_oracles
    from ..session import GradingSession

    for exercise in pin_oracles(GradingSession.load(exercise_set, seed), ids, again=True):
        print(f"{exercise.id}: torch.optim's paths pinned ({exercise.score:g}/{exercise.max_score:g})")


if __name__ == "__main__":
    main()
