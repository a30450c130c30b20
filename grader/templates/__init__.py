"""CI templates (package data): `@@{name}` marks what `grader ci` fills in (grader.ci.templates)."""
