"""Reference implementations of the course's exercises: plain NumPy, float64, numerically stable.

Trusted code: it runs in the grader's own process and computes the expected values. Student code
never imports it (the sandbox keeps this folder unreadable to workers).
"""
