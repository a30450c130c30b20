"""The exercise schema as frozen dataclasses; `grader.spec.convert` turns YAML into these.

Each field's type hint is the schema: the validator reads the hints, so adding a field here is
all it takes to accept it in YAML. Field metadata `doc` says what is expected, for error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union

Scalar = Union[float, int, str, bool]


@dataclass(frozen=True)
class Text:
    """A user-facing text in both of the course's languages."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Tolerance:
    """|actual − expected| ≤ atol + rtol·|expected|, elementwise (as numpy.isclose).

    The defaults accept float32-accurate answers (students using torch's default dtype) and are
    still far tighter than any catalogued mistake.
    """

    rtol: float = 1e-4
    atol: float = 1e-6


ArgType = Literal["array", "float", "int", "ints", "choice", "one_hot", "simplex", "binary"]


@dataclass(frozen=True)
class ArgSpec:
    """How one argument of the student's function is generated.

    `shape` is "any" (0-d to 3-d, for elementwise functions) or a list of sizes, each an int or
    the name of a dimension from the exercise's `dims`, shared between arguments. `ints` is a
    Python list of integers in [min, max], its length the one size of `shape`. `grid` rounds
    drawn floats to multiples of it, so sums of products are exact in float32 too and land
    exactly on kinks (wᵀx + b = 0 for sign and step) often.
    """

    type: ArgType
    shape: Union[str, list[Union[int, str]], None] = None
    min: Optional[float] = None
    max: Optional[float] = None
    values: Optional[list[Scalar]] = None
    default: Optional[Scalar] = None
    keyword: bool = False
    avoid: list[float] = field(default_factory=list)
    grid: Optional[float] = None


@dataclass(frozen=True)
class PropertySpec:
    """A named, reusable property from `grader.judge.properties`, with its parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OracleSpec:
    """An independent oracle for a trajectory: a `torch.optim` optimizer run on the same path.

    `args` maps the optimizer's keyword arguments to the exercise's argument names (a list for a
    tuple such as Adam's betas) or to constants; `state` maps a state argument of the exercise to
    the optimizer's state key (velocity → momentum_buffer).
    """

    optimizer: str
    args: dict[str, Union[str, list[str], float]] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TrajectorySpec:
    """K steps of an optimizer's step function, each fed the previous step's outputs.

    The function returns the new `param` (alone, or first of a tuple followed by the `state`
    arguments in order); `gradient` is a trusted function (param, step, start) → the gradient
    passed in `grad` at that step; `counter` is a 1-based step-number argument (Adam's t).
    Trajectories start from the first `starts` drawn cases and every edge case, with the state
    set to zeros (a fresh optimizer, as torch.optim starts).
    """

    param: str
    gradient: str
    grad: str = "grad"
    state: list[str] = field(default_factory=list)
    counter: Optional[str] = None
    steps: int = 8
    starts: int = 20
    oracle: Optional[OracleSpec] = None


CheckKind = Literal[
    "reference", "edge_cases", "stability", "properties", "gradient",
    "behaviour", "trajectory",
]


@dataclass(frozen=True)
class CheckSpec:
    """One scored check of an exercise. Only the fields of its kind are meaningful."""

    kind: CheckKind
    points: float
    name: Optional[str] = None
    tolerance: Optional[Tolerance] = None
    visibility: Literal["public", "hidden"] = "public"
    properties: list[PropertySpec] = field(default_factory=list)
    # gradient: the forward function whose derivative the exercise computes. Without `wrt` the
    # derivative is elementwise in the first argument; with `wrt`, central differences of a
    # scalar (the forward's output, or `objective`(case, output), a trusted function) are taken
    # w.r.t. every element of each listed argument. The result is shaped like the exercise's
    # output: one array, a tuple named by `outputs`, or a dict keyed by the `wrt` names.
    of: Optional[str] = None
    step: float = 1e-6
    wrt: list[str] = field(default_factory=list)
    objective: Optional[str] = None
    outputs: list[str] = field(default_factory=list)
    per_layer: bool = False
    # behaviour: a trusted function (reference/drivers/ or the reference module) that drives the check
    driver: Optional[str] = None
    params: dict[str, Any] = field(default_factory=dict)
    # trajectory: how the steps are chained (see TrajectorySpec)
    trajectory: Optional[TrajectorySpec] = None

    @property
    def title(self) -> str:
        return self.name or self.kind


@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation (in reference/mistakes/) and the hint shown when it matches."""

    function: str
    hint: Text
    checks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Exercise:
    """One exercise: one function the student writes, and how it is checked."""

    id: str
    title: Text
    description: Text
    signature: str
    args: dict[str, ArgSpec]
    checks: list[CheckSpec]
    chapter: int = 0
    points: Optional[float] = None
    dims: dict[str, list[int]] = field(default_factory=dict)
    examples: int = 100
    edge_cases: list[dict[str, Any]] = field(default_factory=list)
    tolerance: Tolerance = field(default_factory=Tolerance)
    time_limit: float = 10.0
    mistakes: list[Mistake] = field(default_factory=list)
    #: conventions and where the slides differ (shown by `grader explain` and starter files)
    notes: Optional[Text] = None
    reference: Optional[str] = None
    mistakes_module: Optional[str] = None
    source_file: str = ""

    @property
    def max_score(self) -> float:
        return float(sum(check.points for check in self.checks))

    @property
    def function(self) -> str:
        """The name the student's function must have: the exercise id."""
        return self.id


@dataclass(frozen=True)
class SpecFile:
    """A YAML file: one chapter's exercises and the reference module that answers them."""

    chapter: int
    title: Text
    reference: str
    exercises: list[dict[str, Any]]
    mistakes: Optional[str] = None
