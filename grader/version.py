"""The grader's version: one module that imports nothing, so that every other may import it."""

__version__ = "0.1.0"
