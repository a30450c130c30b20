"""Workers inherit the zygote's imports frozen: their garbage collections never walk them."""

from __future__ import annotations

from grader.run.client import WorkerSession

PROBE = '''
import gc

def frozen():
    return gc.get_freeze_count()

def collect_and_count():
    gc.collect()
    return gc.get_freeze_count()
'''


def test_a_worker_starts_with_the_zygote_objects_frozen(zygote):
    session = WorkerSession(zygote, [{"name": "probe", "filename": "probe.py", "source": PROBE}])
    try:
        report = session.start()
        assert "frozen" in report.functions
        [outcome] = session.call("frozen", [{"args": [], "kwargs": {}}], timeout=10.0)
        assert outcome.error is None and outcome.value > 1000  # NumPy's objects, at least
        [again] = session.call("collect_and_count", [{"args": [], "kwargs": {}}], timeout=10.0)
        assert again.error is None and again.value == outcome.value  # a collection keeps them
    finally:
        session.close()


RANDOM_PROBE = '''
import sys

def imported_before():
    return "numpy.random" in sys.modules

def draw():
    import numpy as np
    return float(np.random.rand())
'''


def test_workers_inherit_numpy_random_imported_but_each_draws_its_own_numbers(zygote):
    """The zygote imports numpy.random once for every worker (a student's code imports it most);
    each forked worker seeds NumPy's global state anew, as importing it itself would."""
    from grader.run.client import Zygote

    draws = []
    for _ in range(2):
        session = WorkerSession(zygote, [{"name": "probe", "filename": "probe.py", "source": RANDOM_PROBE}])
        try:
            session.start()
            [before] = session.call("imported_before", [{"args": [], "kwargs": {}}], timeout=10.0)
            assert before.value is (isinstance(zygote, Zygote))
            [drawn] = session.call("draw", [{"args": [], "kwargs": {}}], timeout=10.0)
            draws.append(drawn.value)
        finally:
            session.close()
    assert draws[0] != draws[1]
