#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image; made by `grader ci gradescope`.
# The grader itself is in source/python and the exercise set in source/exercises: only its
# dependencies are installed here, at the versions the autograder was made with (so every
# submission is graded on the same drawn inputs as on the instructor's machine).
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --upgrade pip
/autograder/venv/bin/python -m pip install @@{requirements}
