"""grader: checks students' neural-network exercises against a reference, with hostile code kept
in a sandboxed worker. Importing this package stays light: no torch, no Hypothesis, no plotting.
"""

from .version import __version__

__all__ = ["__version__", "check", "load_ipython_extension"]


def check(*functions, **options):
    """Check exercise functions defined in a notebook (or any session): `grader.check(sigmoid)`.

    With no argument, every function named after an exercise is checked. Only the functions'
    source (and the imports, helpers and constants they use) is graded, in the sandboxed worker;
    the result shows as HTML in Jupyter, as text elsewhere. Options: lang="zh"|"en",
    exercises=DIR, seed=N, shrink=False, time_limit=S. The machinery is imported on first use.
    """
    import sys

    from .interactive import check as check_source

    namespace = options.pop("namespace", None)
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    return check_source(*functions, namespace=namespace, **options)


def load_ipython_extension(ipython):
    """`%load_ext grader` registers the `%grade [--lang zh|en] [NAME ...]` line magic."""
    from .interactive import load_ipython_extension as load

    load(ipython)
