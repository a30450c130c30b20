"""A resident grader: `grader check` served by a warm grading session kept in the background.

A self-check spends most of its time starting: the interpreter and its imports, the specs, the
reference, the stored answers, the plans, the worker's zygote (~0.5 s of a 1.3 s check here). A
student checks the same file again and again; a resident grader keeps all of that warm between
checks, so a check costs what a submission costs in a batch (the same `GradingSession`, reused
the same way), and the `grader` the student types only forwards its arguments and prints the reply.

- `place`: where a resident grader listens and when one is used (stdlib only: the forwarding
  client must start in milliseconds)
- `wire`: the messages between the two
- `client`: forward a check, or start a resident grader for the next one
- `server`: the resident grader itself (`python -m grader.resident.server`)

Student code still runs only in sandboxed workers forked from the session's zygote, exactly as in
`grader check --watch` or a batch. The resident grader serves one user (its folder is the user's
own, mode 0700, and a peer's uid is checked), one setup (the Python, the grader's code and the
GRADER_* environment it started with), and quits when its code changes or after idling.
"""
