"""Known wrong implementations, one function per catalogued mistake.

Each is the mistake a student really makes, written plainly. The exercise specs name them and
pair them with a hint; the judge runs them on a failing input to diagnose what went wrong, and
`grader validate` proves every one of them is rejected by at least one check.
"""
