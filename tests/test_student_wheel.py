"""The student build of the grader (the wheel `grader pack` puts in a pack, built by setuptools):
the grader package alone, no exercise set in it, a valid wheel, byte-identical when rebuilt, the
grader's own metadata, and a grader that asks for an exercise set."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile

import pytest

from support import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    from grader.pack.student_build import build_student_wheel

    return build_student_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_no_exercise_set_nor_any_line_of_the_reference(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        members = {n: archive.read(n) for n in names}
    assert "grader/cli.py" in names and "grader/pack/student_build.py" in names
    assert "grader/templates/github-workflow.yml" in names  # package data travels too
    assert "grader/locale/zh/LC_MESSAGES/grader.mo" in names
    assert {n.split("/")[0] for n in names} == {"grader", "grader-0.1.0.dist-info"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # every file of the package, and nothing else
    from grader.pack.student_build import package_dir, package_files

    assert sorted(n[len("grader/"):] for n in names if n.startswith("grader/")) == package_files(package_dir())
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
    from grader.pack.student_build import build_student_wheel, metadata, wheel_name

    again = build_student_wheel(tmp_path)
    assert again.name == wheel.name == wheel_name() == f"grader-{__version__}-py3-none-any.whl"
    assert again.read_bytes() == wheel.read_bytes()  # byte for byte
    dist_info = f"grader-{__version__}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[-1] == f"{dist_info}/RECORD"
        package = [n for n in names if not n.startswith(dist_info)]
        assert len(set(package)) == len(package)  # each file once (the order: setuptools')
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
        meta = archive.read(f"{dist_info}/METADATA").decode()
        wheel_file = archive.read(f"{dist_info}/WHEEL").decode()
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    assert "Root-Is-Purelib: true" in wheel_file and "Tag: py3-none-any" in wheel_file
    assert "grader = grader.launch:main" in entry_points
    assert f"Name: grader\nVersion: {__version__}\n" in meta
    declared = metadata()
    shipped = [line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Requires-Dist: ")]
    assert [r for r in shipped if "extra ==" not in r] == [r.replace("'", '"') for r in declared.dependencies]
    assert any(r.startswith("numpy") for r in shipped)
    assert [line.split(": ", 1)[1] for line in meta.splitlines()
            if line.startswith("Provides-Extra: ")] == list(declared.extras)
    assert 'torch>=2.2; extra == "torch"' in shipped


def test_metadata_comes_from_the_checkout_or_from_the_installed_distribution(tmp_path):
    import tomllib
    from importlib.metadata import PackageNotFoundError, distribution

    from grader.pack import student_build as student

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = student.metadata()  # from this checkout's pyproject.toml
    assert declared.dependencies == project["dependencies"]
    assert declared.extras == project["optional-dependencies"]
    assert declared.scripts == project["scripts"] and declared.version == project["version"]
    # an installed (not checked-out) grader: its distribution's own metadata, via importlib
    alone = tmp_path / "site" / "grader"
    alone.mkdir(parents=True)
    try:
        installed = distribution("grader")
    except PackageNotFoundError:
        pytest.skip("the grader is not installed here")
    recorded = student.metadata(alone)
    lines = list(installed.metadata.get_all("Requires-Dist") or [])
    assert [r for r in lines if "extra ==" not in r] == recorded.dependencies
    assert list(recorded.extras) == list(installed.metadata.get_all("Provides-Extra") or [])
    assert recorded.version == installed.version and recorded.scripts == {"grader": "grader.launch:main"}


@pytest.mark.parametrize("line, expected", [
    ("numpy>=1.24", ("numpy>=1.24", None)),
    ('torch>=2.2; extra == "torch"', ("torch>=2.2", "torch")),
    ("tomli>=2; python_version < '3.11'", ("tomli>=2; python_version < '3.11'", None)),
    ('tomli>=2; python_version < "3.11" and extra == "x"', ('tomli>=2; python_version < "3.11"', "x")),
    ('tomli>=2; (python_version < "3.11") and extra == \'x\'', ('tomli>=2; python_version < "3.11"', "x")),
])
def test_a_requires_dist_line_of_an_extra_becomes_that_extras_requirement(line, expected):
    from grader.pack.student_build import split_extra

    assert split_extra(line) == expected


def test_without_setuptools_the_student_build_says_so(monkeypatch, tmp_path):
    from grader.pack import student_build

    monkeypatch.setattr(student_build, "_BUILD", "raise ModuleNotFoundError(\"No module named 'setuptools'\")")
    with pytest.raises(student_build.StudentBuildError, match="setuptools is not installed here"):
        student_build.build_student_wheel(tmp_path)


def test_a_grader_without_an_exercise_set_asks_for_one(monkeypatch, tmp_path):
    from grader.spec import SpecError, load_exercise_set
    from grader.spec import loader

    monkeypatch.delenv("GRADER_EXERCISES", raising=False)
    monkeypatch.setattr(loader, "SHIPPED_EXERCISES", "grader_no_such_set")  # as in the student build
    with pytest.raises(SpecError, match=r"no exercise set: pass --exercises or \$GRADER_EXERCISES"):
        load_exercise_set()
