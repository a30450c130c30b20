#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image; made by `grader ci gradescope`.
# The grader is the wheel beside this script (its student build: without an exercise set of its
# own) and the exercise set is in source/exercises. The grader's dependencies are installed at
# the versions the autograder was made with (so every submission is graded on the same drawn
# inputs as on the instructor's machine), then the grader itself.
set -euo pipefail
source="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/python -I -m pip install --upgrade pip
# The versions used to make the autograder; where the image's Python cannot install them
# (another Python version), the newest that it can: the inputs are then drawn again there.
/autograder/venv/bin/python -I -m pip install @@{requirements} \
  || /autograder/venv/bin/python -I -m pip install @@{unpinned}
/autograder/venv/bin/python -I -m pip install --no-deps "$source/@@{wheel}"
