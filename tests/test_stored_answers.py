"""The reference's answers stored between runs give the same grades, and only for the same code."""

from __future__ import annotations

from grader.engine import grade

from grader.engine import Options
from grader.session import GradingSession
from grader.judge.answers import answers_key, for_session, functions_of

EXERCISES = ("sigmoid_grad", "softmax", "adam_step")
SOURCE = '''
import numpy as np

def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))

def sigmoid_grad(x):
    return sigmoid(x) * (1 - sigmoid(x)) + (np.asarray(x) > 3) * 1e-3   # wrong above 3

def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)

def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v
'''


def _facts(result):
    """The result without timings or the worker's private folder."""
    out = []
    for ex in result.exercises:
        checks = [(c.name, c.status, c.score, c.code, repr(c.counterexample)) for c in ex.checks]
        out.append((ex.id, ex.status, ex.score, checks))
    return out


def test_stored_answers_grade_the_same(tmp_path, monkeypatch, zygote):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    submission = tmp_path / "student.py"
    submission.write_text(SOURCE, encoding="utf-8")
    options = Options(exercises=EXERCISES)

    first = GradingSession.load()
    stored = for_session(first)
    stored.load(functions_of(first.exercise_set.select(EXERCISES)))
    assert not first.expected.memo.outcomes  # nothing stored yet
    before = grade(first, submission, zygote, options)
    stored.save()
    files = sorted(p.name for p in stored.folder.glob("*.bin"))
    assert {"sigmoid_grad.bin", "sigmoid.bin", "softmax.bin", "adam_step.bin"} <= set(files)

    second = GradingSession.load()
    again = for_session(second)
    again.load(functions_of(second.exercise_set.select(EXERCISES)))
    loaded = len(second.expected.memo.outcomes)
    assert loaded > 300
    after = grade(second, submission, zygote, options)
    assert _facts(after) == _facts(before)
    assert before.exercises[0].status == "failed"  # the stored answers still catch the mistake
    assert not again.grown  # every answer it needed was stored

    only_softmax = GradingSession.load()
    some = for_session(only_softmax)
    some.load(functions_of(only_softmax.exercise_set.select(("softmax",))))
    assert 0 < len(only_softmax.expected.memo.outcomes) < loaded  # one exercise reads its own


def test_answers_are_keyed_by_the_reference_code(tmp_path):
    reference = tmp_path / "activations.py"
    reference.write_text("def sigmoid(x):\n    return x\n", encoding="utf-8")
    key = answers_key([reference])
    reference.write_text("def sigmoid(x):\n    return -x\n", encoding="utf-8")
    assert answers_key([reference]) != key


def test_a_damaged_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    session = GradingSession.load()
    stored = for_session(session)
    stored.folder.mkdir(parents=True)
    (stored.folder / "softmax.bin").write_bytes(b"\x00garbage")
    stored.load({"softmax"})
    assert not session.expected.memo.outcomes


def test_no_stored_answers_without_the_cache():
    assert for_session(GradingSession.load(use_cache=False)) is None


def test_a_file_reads_back_every_answer_it_was_written_with(tmp_path, monkeypatch):
    """Keys, values, errors, warnings and changed arguments, as the memo held them."""
    import numpy as np

    from grader.run.client import CallOutcome

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    session = GradingSession.load()
    stored = for_session(session)
    written = {bytes([i]) * 16: CallOutcome(value=np.arange(float(i)), warnings=["RuntimeWarning: w"] if i % 3 else [],
                                            error={"type": "ValueError", "message": "m"} if i == 4 else None,
                                            modified=[0] if i == 5 else None)
               for i in range(8)}
    session.expected.memo.outcomes.update(written)
    stored.owner.update(dict.fromkeys(written, "softmax"))
    stored.grown.add("softmax")
    stored.save()

    fresh = GradingSession.load()
    for_session(fresh).load({"softmax"})
    read = fresh.expected.memo.outcomes
    assert sorted(read) == sorted(written)
    for key, outcome in written.items():
        got = read[key]
        assert np.array_equal(got.value, outcome.value) and got.value.dtype == outcome.value.dtype
        assert (got.error, got.warnings, got.modified) == (outcome.error, outcome.warnings, outcome.modified)



def test_a_session_reads_its_stored_answers_once(tmp_path, monkeypatch, zygote):
    """A session that checks again (a resident grader, grader/resident) reads each function's
    file only the first time, and wraps the reference's memo once, however often it is asked."""
    from grader.judge import answers

    monkeypatch.setenv("GRADER_CACHE_DIR", str(tmp_path / "cache"))
    submission = tmp_path / "student.py"
    submission.write_text(SOURCE, encoding="utf-8")
    writer = GradingSession.load()
    with writer.stored_answers(writer.select(EXERCISES)):
        grade(writer, submission, zygote, Options(exercises=EXERCISES))
    reads: list[str] = []
    decode = answers.codec.decode
    monkeypatch.setattr(answers.codec, "decode", lambda data: reads.append("read") or decode(data))
    session = GradingSession.load()
    with session.stored_answers(session.select(("softmax",))):
        pass
    first = len(reads)
    assert first >= 1
    wrapped = session.expected.run
    for _ in range(3):
        with session.stored_answers(session.select(("softmax",))):
            pass
    assert len(reads) == first and session.expected.run is wrapped
    with session.stored_answers(session.select(EXERCISES)):  # more exercises: only theirs are read
        pass
    assert first < len(reads) <= first + len(answers.functions_of(session.select(EXERCISES)))
