"""The student build of the grader (the wheel `grader pack` puts in a pack): no exercise set in it,
a valid wheel, byte-identical when rebuilt, and a grader that asks for an exercise set."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    from grader.pack.wheel import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_no_exercise_set_nor_any_line_of_the_reference(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        members = {n: archive.read(n) for n in names}
    assert "grader/cli.py" in names and "grader/pack/wheel.py" in names
    assert "grader/templates/github-workflow.yml" in names  # package data travels too
    assert not [n for n in names if n.startswith(("grader_exercises/", "grader_reference/"))
                or "__pycache__" in n]
    # every distinctive line of the reference, the mistakes and the trusted drivers, whole
    reference = ROOT / "reference"
    lines = {line.strip() for source in reference.rglob("*.py")
             for line in source.read_text(encoding="utf-8").splitlines()
             if len(line.strip()) >= 16 and not line.strip().startswith(("#", "from ", "import ", '"""'))}
    assert len(lines) > 300
    shipped = {line.strip() for data in members.values()
               for line in data.decode("utf-8", errors="replace").splitlines()}
    assert not sorted(lines & shipped)
    specs = [n for n in names if n.endswith((".yaml", ".yml")) and not n.startswith("grader/templates/")]
    assert not specs


def test_the_wheel_is_valid_and_reproducible(wheel, tmp_path):
    from grader import __version__
    from grader.pack.wheel import build_wheel, requirements

    again = build_wheel(tmp_path)
    assert again.name == wheel.name == f"grader-{__version__}-py3-none-any.whl"
    assert again.read_bytes() == wheel.read_bytes()  # byte for byte
    dist_info = f"grader-{__version__}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[-1] == f"{dist_info}/RECORD"
        package = [n for n in names if not n.startswith(dist_info)]
        assert package == sorted(package)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        record = list(csv.reader(io.StringIO(archive.read(f"{dist_info}/RECORD").decode())))
        assert sorted(row[0] for row in record) == sorted(names)
        for name, digest, size in record:
            if name.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        wheel_file = archive.read(f"{dist_info}/WHEEL").decode()
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    assert "Root-Is-Purelib: true" in wheel_file and "Tag: py3-none-any" in wheel_file
    assert "grader = grader.cli:main" in entry_points
    assert f"Name: grader\nVersion: {__version__}\n" in metadata
    requires, extras = requirements()
    shipped = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    assert shipped == requires and any(r.startswith("numpy") for r in shipped)
    assert [line.split(": ", 1)[1] for line in metadata.splitlines()
            if line.startswith("Provides-Extra: ")] == extras


def test_requirements_come_from_the_checkout_or_from_the_installed_metadata(monkeypatch, tmp_path):
    import tomllib
    from importlib.metadata import PackageNotFoundError, metadata

    from grader.pack import wheel as student

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requires, extras = student.requirements()  # from this checkout's pyproject.toml
    assert requires[:len(project["dependencies"])] == [r.replace("'", '"') for r in project["dependencies"]]
    assert extras == list(project["optional-dependencies"])
    assert 'torch>=2.2; extra == "torch"' in requires
    assert student._with_extra("tomli>=2; python_version < '3.11'", "x") == \
        'tomli>=2; (python_version < "3.11") and extra == "x"'
    # an installed (not checked-out) grader: its distribution's own metadata, via importlib
    alone = tmp_path / "site" / "grader"
    alone.mkdir(parents=True)
    try:
        installed = metadata("grader")
    except PackageNotFoundError:
        pytest.skip("the grader is not installed here")
    requires, extras = student.requirements(alone)
    assert requires == list(installed.get_all("Requires-Dist") or [])
    assert extras == list(installed.get_all("Provides-Extra") or [])


def test_a_grader_without_an_exercise_set_asks_for_one(monkeypatch, tmp_path):
    from grader.spec import SpecError, load_exercise_set
    from grader.spec import loader

    monkeypatch.delenv("GRADER_EXERCISES", raising=False)
    monkeypatch.setattr(loader, "SHIPPED_EXERCISES", "grader_no_such_set")  # as in the student build
    with pytest.raises(SpecError, match=r"no exercise set: pass --exercises or \$GRADER_EXERCISES"):
        load_exercise_set()
