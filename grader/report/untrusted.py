"""Student text on its way out: one function per place it goes, each making it inert there.

Everything a submission is or produces reaches people: what it printed, exception messages,
file and folder names, dict keys its functions returned, notebook cell text, and the sentences
and hints built from them. Each output format would *interpret* some of it (a terminal runs
escape sequences, a CI runner runs `::workflow-commands::`, Markdown renders HTML and headings,
a spreadsheet evaluates `=formulas`, XML and UTF-8 forbid some characters), so each format has
its own rule here, and every reporter calls the rule of its format instead of escaping on its
own. The grader's message templates are trusted (no control characters, no markup): a reporter
may pass a whole sentence through these functions, student facts included.

The student's text stays visible: characters are shown (a control character as its Python
escape, `\\x1b`), escaped or quoted, never silently dropped, so a teacher sees what was printed.
Lone surrogates (from an exception message or a file name that is not UTF-8) become U+FFFD in
every function, so no output can fail with UnicodeEncodeError; what a terminal's own encoding
cannot show (✗ or an emoji on a GBK console) is degraded, never the report (`replace_unencodable`,
grader/report/console.py).

See docs/security-untrusted-text.md for the table of sinks and rules.
"""

from __future__ import annotations

import bisect
import html as _html
import json
import re
from typing import Any, TextIO

from ..cleaning import REPLACEMENT, shown, without_surrogates

#: which characters are hidden, and how they are shown, is grader.cleaning's rule (the one the
#: gradebook, the worker's replies and file names follow too): C0 and C1 controls (ESC starts
#: colour, cursor and screen-clearing sequences; CR returns to the start of the line and
#: overwrites it), DEL, line and paragraph separators (line breaks to some viewers, not to
#: others), the bidirectional overrides and isolates, which reorder what a line appears to say
#: ("Trojan Source"), and the other invisible format characters (zero-width spaces and joiners,
#: the BOM), which hide what a line says; lone surrogates become U+FFFD first. A block keeps its
#: line breaks and tabs, a line keeps nothing.
_BLOCK_KEEPS = "\n\t"

#: GitHub's runner reads `::command::` at the start of a line (after leading white space) and its
#: older `##[command]` anywhere in a line; Azure Pipelines reads `##vso[`. A zero-width space
#: breaks each without changing what a person sees.
_ZWSP = "\u200b"
_LEGACY_COMMAND = re.compile(r"##(?=\[|vso\[)")
_LINE_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)


def scrub(value: str) -> str:
    """Lone surrogates replaced by U+FFFD: the least every sink needs (UTF-8 cannot hold them)."""
    return without_surrogates(value)


def visible(value: str, one_line: bool = False) -> str:
    """Control characters, separators, bidi overrides and other invisible format characters
    shown as escapes (`\\x1b`, `\\r`, `\\u202e`, `\\u200b`), surrogates replaced. `one_line`
    shows line breaks and tabs too, so that the text cannot begin a line of its own (a forged
    "All exercises passed" or `Score: 160 / 160`); it is then what `names.label` makes of the
    same text."""
    value = without_surrogates(value)
    if one_line:
        return shown(value)
    return shown(value.replace("\r\n", "\n"), keep=_BLOCK_KEEPS)


def _no_ci_commands(value: str) -> str:
    return _LINE_COMMAND.sub(r"\1:" + _ZWSP, _LEGACY_COMMAND.sub("##" + _ZWSP, value))


# --- terminals, plain-text reports, CI logs ---------------------------------------------------

def text_block(value: str, prefix: str = "") -> str:
    """Lines of student text for a terminal, a plain-text report or a CI log (printed output).

    One rule for the three because a text report is read in a terminal or in a CI job's log:
    nothing can move the cursor, clear the screen, recolour, overwrite a line with CR, or start
    a workflow command. `prefix` starts every line (`"  | "`), so that none of them looks like
    one of the grader's own ("All exercises passed", "Score: 160 / 160")."""
    shown = _no_ci_commands(visible(value))
    return prefix + shown.replace("\n", "\n" + prefix) if prefix else shown


def text_line(value: str) -> str:
    """Student text inside one line of a terminal, plain-text report or CI log (a message, a
    name, a value): as `text_block`, with line breaks shown as `\\n`."""
    return _no_ci_commands(visible(value, one_line=True))


def replace_unencodable(*streams: TextIO) -> None:
    """Let the streams print what their encoding cannot hold (✗ or 🎉 to a GBK console) by
    grader.report.console's rule: ✗ as ×, ✓ as √, an emoji dropped, anything else `?`.

    A report is for reading: a character the terminal cannot show must not stop it halfway
    with UnicodeEncodeError."""
    from .console import prepare

    prepare(*streams)


# --- Markdown (feedback files, $GITHUB_STEP_SUMMARY) ------------------------------------------

#: backslash escapes that CommonMark, GitHub and Python-Markdown all honour: the backslash itself,
#: `*` (emphasis), `|` (a table cell's end), and `_` where it can open or close emphasis (not
#: inside a word: `np_max` stays as it is)
_MD_BACKSLASHED = re.compile(r"[\\*|]|(?<![^\W_])_|_(?![^\W_])")
#: an `&` that would start an entity, so `&lt;` printed by a student shows as `&lt;`
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
#: at the start of a line: a heading, quote, list item, link definition, fence or ordered item
_MD_BLOCK_START = re.compile(r"^(?:[#>+\-\[]|~{3,}|`{3,}|\d+(?=[.)]))")
_BACKTICK_RUN = re.compile("`+")


def _code_spans(value: str) -> list[tuple[bool, str]]:
    """The text cut into (is a code span, piece), pairing backtick runs as CommonMark does: a run
    opens a span closed by the next run of the same length; a run with none is plain text."""
    runs = list(_BACKTICK_RUN.finditer(value))
    by_length: dict[int, list[int]] = {}
    for index, run in enumerate(runs):
        by_length.setdefault(len(run.group()), []).append(index)
    pieces: list[tuple[bool, str]] = []
    done, index = 0, 0
    while index < len(runs):
        same = by_length[len(runs[index].group())]
        later = bisect.bisect_right(same, index)
        if later == len(same):  # no closing run: these backticks are text
            index += 1
            continue
        close = runs[same[later]]
        pieces += [(False, value[done:runs[index].start()]), (True, value[runs[index].start():close.end()])]
        done, index = close.end(), same[later] + 1
    return pieces + [(False, value[done:])]


def _md_text(piece: str) -> str:
    piece = _MD_BACKSLASHED.sub(lambda m: "\\" + m.group(), piece)
    return _MD_ENTITY.sub("&amp;", piece).replace("<", "&lt;").replace("](", "]\\(")


def markdown_inline(value: str) -> str:
    """Student text inside a Markdown paragraph, heading, list item or table cell.

    On one line (no heading, fence or HTML block can begin inside it). Outside code spans: `<`
    as `&lt;`, so no raw HTML (`<img onerror>`, `<script>`) or autolink renders; `](` broken, so
    no link or image; emphasis characters escaped; and a line-start marker escaped, so the text
    cannot become a heading, a quote, a list or a fence. Code spans (the grader's sentences use
    them: `if __name__ == "__main__":`) are kept as they are, since a renderer shows their
    content literally; they are found as the renderer finds them, so student backticks cannot
    move text out of one unescaped. `|` is escaped everywhere, so no table cell can be added."""
    pieces = _code_spans(visible(value, one_line=True).lstrip())
    shown = "".join(piece.replace("|", "\\|") if code else _md_text(piece) for code, piece in pieces)
    start = _MD_BLOCK_START.match(shown) if pieces[0][1] else None  # a span first is no marker
    if start is None:
        return shown
    at = start.end() if start.group()[0].isdigit() else 0
    return shown[:at] + "\\" + shown[at:]


def markdown_block(value: str, info: str = "text") -> str:
    """Student text as a fenced code block: its lines shown literally, however they look.

    The fence is longer than any run of backticks in the text, so no line of it can close the
    block, indented or not (a closing fence may be indented by up to three spaces), and what
    follows it (`# Score: 160 / 160`, `<script>`) stays inside as text."""
    value = visible(value)
    longest = max((len(run) for run in _BACKTICK_RUN.findall(value)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{value}\n{fence}"


# --- HTML (feedback pages, the class report, notebooks) ---------------------------------------

def html(value: str) -> str:
    """Student text in HTML element content or a quoted attribute value: `< > & " '` escaped,
    control characters and bidi overrides shown, surrogates replaced."""
    return _html.escape(visible(value), quote=True)


# --- CSV (grades.csv, `grader export`) ---------------------------------------------------------

#: a cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
#: (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`, `@SUM(…)`, `-2+3`); OWASP's list
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> int | float | str:
    """A spreadsheet cell: numbers stay numbers; text is shown on one line and, when it starts
    (after any white space) with a formula character, prefixed with `'`, which spreadsheets
    take as "this is text" and do not show. Write the rows with `csv.QUOTE_NONNUMERIC`, so that
    a field separator inside the text (`a;=1+1` where `;` separates fields) cannot start a new
    cell."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    shown = text_line(str(value))
    if shown.startswith(_FORMULA_START) or shown.lstrip().startswith(_FORMULA_START):
        return "'" + shown
    return shown


# --- GitHub Actions annotations -----------------------------------------------------------------

def annotation_message(value: str) -> str:
    """The message of an `::error …::message` line: shown as `text_block`, then `%`, CR and LF
    percent-encoded as the runner decodes them, so the whole message stays one line."""
    return text_block(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotation_property(value: str) -> str:
    """A property (`file=`, `title=`) of a workflow command: as the message, and `:` and `,`
    encoded too, since they end a property."""
    return annotation_message(value).replace(":", "%3A").replace(",", "%2C")


# --- JUnit XML ----------------------------------------------------------------------------------

#: characters XML 1.0 cannot hold at all, whatever the escaping
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml(value: str) -> str:
    """Student text for an XML element or attribute (ElementTree escapes the markup): shown as
    `text_block` (JUnit is read in CI pages and logs), then anything XML 1.0 forbids (U+FFFE,
    U+FFFF) replaced by U+FFFD, so the document parses whatever the bytes were."""
    return _NOT_XML.sub(REPLACEMENT, text_block(value))


# --- JSON ---------------------------------------------------------------------------------------

#: written as \\u escapes: the same JSON value, but no byte a terminal acts on when the document
#: is printed (json already escapes C0 controls); lone surrogates become U+FFFD
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return REPLACEMENT if 0xD800 <= code <= 0xDFFF else f"\\u{code:04x}"


def json_dumps(data: Any, **options: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, **options)`, valid UTF-8 whatever the strings held.

    Lone surrogates become U+FFFD; C1 controls, separators, bidi overrides and the `[` of `##[`
    (a command to a CI runner printing the document) are written as `\\uXXXX`, which decodes to
    the same value. Outside strings JSON has none of these characters, so the document is fixed
    as text, after json has written it."""
    dumped = _JSON_UNSAFE.sub(_json_escape, json.dumps(data, ensure_ascii=False, **options))
    if "##" in dumped:
        dumped = dumped.replace("##[", "##\\u005b").replace("##vso[", "##vso\\u005b")
    return dumped


__all__ = ["annotation_message", "annotation_property", "csv_cell", "html", "json_dumps",
           "markdown_block", "markdown_inline", "replace_unencodable", "scrub", "text_block",
           "text_line", "visible", "xml"]
