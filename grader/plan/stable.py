"""Keep Hypothesis's draws a function of the strategy and the seed alone.

Hypothesis (6.13x and later) sometimes draws a constant harvested from the source of every
"local" module loaded in the process (anything outside site-packages and the stdlib). For the
grader that makes the drawn inputs depend on what happens to be imported: an editable install,
the exercise set's reference and drivers, a Jupyter kernel's modules. Two runs of the same
submission could then be checked on different inputs. There is no setting for it, so while the
grader draws or shrinks, the pool of local constants is pinned to empty. Hypothesis's global
constants (0, ±1, ±inf, boundaries, …) are kept: they are the same everywhere.
"""

from __future__ import annotations

import contextlib
from typing import Iterator


@contextlib.contextmanager
def no_local_constants() -> Iterator[None]:
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # a Hypothesis without the feature draws the same everywhere already
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    constants = getattr(providers, "Constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or constants is None:
        yield
        return
    empty = constants()
    providers._get_local_constants = lambda: empty
    if cache is not None:
        cache.clear()  # entries computed with local constants must not be reused
    try:
        yield
    finally:
        providers._get_local_constants = original
        if cache is not None:
            cache.clear()
