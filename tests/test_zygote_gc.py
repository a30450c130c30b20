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
