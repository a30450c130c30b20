"""The LMS in and out: a Canvas or Moodle bulk download unpacked into a class folder
(`grader collect`), and the gradebook written back as their grade import CSVs (`grader export
--format canvas|moodle`).

- `archive`: a hostile zip read safely (names decoded, paths checked, sizes bounded);
- `canvas`, `moodle`: each LMS's own formats, its entry names read and its import CSV written;
- `people`: archive entries matched to the roster's students;
- `collect`: the whole `grader collect`; `manifest`: the `.grader-collect.json` it leaves
  beside the submissions (the contract with the lateness code, docs/lms.md).
"""
