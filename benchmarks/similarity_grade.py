"""What the class report's similarity section adds to `grader grade`, in CPU seconds per submission.

    python benchmarks/similarity_grade.py                  # the test class (50) and a class of 1000
    python benchmarks/similarity_grade.py --students 300

Run on demand, not in CI. The section's stage (grader/batch/similarity_section.py
`build_section`: fingerprints reused from the gradebook or computed and stored, ranking, the
pages under OUT/similarity/) is timed in-process with `time.process_time`, exactly as
`grader grade` runs it after grading, on the generated classes of tests/similarity_class.py:

1. a first run (an empty gradebook: every submission fingerprinted and stored);
2. a resumed or repeated run (nothing changed: every record read back from the gradebook);
3. a run after one submission changed.

Grading itself is not run (it costs the same with or without the section: the section runs
after it and reads nothing of it). Results are printed and written to
benchmarks/SIMILARITY_GRADE.md.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

import similarity_class as generated  # noqa: E402
from run import machine, table_markdown, table_text  # noqa: E402

from grader.batch.discover import content_hash, discover  # noqa: E402
from grader.batch.gradebook import Gradebook  # noqa: E402
from grader.batch.similarity_section import build_section, render_section  # noqa: E402
from grader.spec import load_exercise_set  # noqa: E402

RESULTS = ROOT / "benchmarks" / "SIMILARITY_GRADE.md"


def _stage(folder: Path, out: Path, exercise_set) -> tuple[float, object]:
    entries = discover(folder).entries
    hashes = {e.student: content_hash(e) for e in entries}
    started = time.process_time()
    book = Gradebook(out / "gradebook.sqlite")
    try:
        section = build_section(book, out, entries, hashes, exercise_set, list(exercise_set.exercises), "en",
                                folder.name)
        render_section(section, "en")
    finally:
        book.close()
    return time.process_time() - started, section


def measure(folder: Path, out: Path, exercise_set, changed: Path) -> list[tuple[str, ...]]:
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    n = len(discover(folder).entries)
    for what in ("first run (every submission fingerprinted)", "unchanged class (every record reused)",
                 "one submission changed"):
        if what.startswith("one"):
            changed.write_text(changed.read_text(encoding="utf-8") + "\n\ndef extra(a, b):\n    return a * b - a\n",
                               encoding="utf-8")
        seconds, section = _stage(folder, out, exercise_set)
        found = section.fingerprinted  # type: ignore[attr-defined]
        rows.append((f"{n}: {what}", f"{seconds:.2f} s", f"{1000 * seconds / n:.1f} ms",
                     f"{found.computed} computed, {found.reused} reused",
                     f"{section.comparison.ranking.flagged} flagged"))  # type: ignore[attr-defined]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args()
    exercise_set = load_exercise_set()
    rows = []
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        test_class = generated.generate(work / "test-class")
        rows += measure(test_class.folder, work / "test-out", exercise_set, test_class.files["s0003"])
        big = generated.generate(work / "big-class", independent=args.students - 50, originals=25, strict=False,
                                 seed=1000)
        rows += measure(big.folder, work / "big-out", exercise_set, big.files["s0003"])
    header = ("class: run", "CPU (whole stage)", "CPU per submission", "records", "pairs")
    print(table_text(rows, header))
    info = machine()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    RESULTS.write_text("\n".join([
        "# The similarity section of `grader grade`: what it adds", "",
        f"`python benchmarks/similarity_grade.py` on {info.get('cpu', '?')} ({info.get('cores', '?')} cores), "
        f"{when}, commit {info.get('commit', '?')}. CPU seconds of the stage in-process "
        "(`time.process_time`), after grading; the machine is shared.", "",
        table_markdown(rows, header), ""]), encoding="utf-8")
    print(f"written: {RESULTS}")


if __name__ == "__main__":
    main()
