"""Exercise specs: the YAML schema and its strict loader. Knows nothing of how checks run."""

from .loader import ExerciseSet, SpecError, UnknownExercises, load_exercise_set, load_spec_file
from .schema import ArgSpec, CheckSpec, Exercise, Mistake, Text, Tolerance

__all__ = [
    "ArgSpec", "CheckSpec", "Exercise", "ExerciseSet", "Mistake", "SpecError", "Text", "Tolerance",
    "UnknownExercises",
    "load_exercise_set", "load_spec_file",
]
