"""Make text from users, files and Back Market safe to print on a terminal.

Values such as SKUs, comments, customer names and error messages are printed
literally: rich markup (``[/]``), emoji codes (``:x:``) and highlighting never
change them, and control characters are shown escaped (``\\x1b``) so that a
value can neither send terminal escape sequences nor start a fake line.
"""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.text import Text

# Bidirectional formatting characters can make a value read in another order
# than the one it is stored in, so they are shown escaped like C0/C1 controls.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS


def _escape_char(char: str) -> str:
    if not _is_control(char):
        return char
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Return ``text`` with control characters written as escapes.

    Newlines, carriage returns and tabs become ``\\n``, ``\\r`` and ``\\t``,
    so one value always prints as one line. Other controls become ``\\xNN``
    or ``\\uNNNN``.
    """
    if text.isprintable():
        return text
    return "".join(_escape_char(char) for char in text)


def escape_json_controls(json_text: str) -> str:
    """Return JSON text with controls that ``json.dumps`` leaves raw escaped.

    ``json.dumps(..., ensure_ascii=False)`` escapes only U+0000 to U+001F, so
    DEL, C1 controls such as U+009B (a CSI on some terminals) and bidi
    overrides become ``\\uNNNN`` escapes here, which parse back to the same
    string.
    """
    if json_text.isprintable():
        return json_text
    # The newlines between indented members are structural, and json.dumps
    # already escaped every newline inside a string.
    return "".join(
        f"\\u{ord(char):04x}" if _is_control(char) and char != "\n" else char
        for char in json_text
    )


def literal(text: str) -> Text:
    """Return a rich Text that prints ``text`` as is, with controls escaped.

    A plain ``str`` given to a rich table or ``Console.print`` is parsed for
    markup and emoji codes by default, and a value such as ``[/]`` then raises
    ``MarkupError``. A Text is never parsed.
    """
    return Text(escape_controls(text), end="")


def plain_console(*, stderr: bool = False, soft_wrap: bool = False) -> Console:
    """Return a console that prints strings as is.

    Markup, emoji codes and highlighting are off, so a message that quotes a
    value such as ``[/]`` or ``:x:`` prints unchanged. Values still need
    :func:`escape_controls` or :func:`literal` for control characters.
    """
    return Console(
        stderr=stderr,
        soft_wrap=soft_wrap,
        markup=False,
        emoji=False,
        highlight=False,
    )
