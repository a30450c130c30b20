"""Exercise specs: the YAML schema and its strict loader. Knows nothing of how checks run."""

from .assignments import Assignment, LatePolicy
from .loader import ExerciseSet, SpecError, UnknownAssignment, UnknownExercises, load_exercise_set, load_spec_file
from .schema import ArgSpec, CheckSpec, Exercise, Mistake, Text, Tolerance

__all__ = [
    "ArgSpec", "Assignment", "CheckSpec", "Exercise", "ExerciseSet", "LatePolicy", "Mistake", "SpecError",
    "Text", "Tolerance", "UnknownAssignment", "UnknownExercises",
    "load_exercise_set", "load_spec_file",
]
