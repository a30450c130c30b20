"""grader: checks students' neural-network exercises against a reference, with hostile code kept
in a sandboxed worker. Importing this package stays light: no torch, no Hypothesis, no plotting.
"""

__version__ = "0.1.0"
