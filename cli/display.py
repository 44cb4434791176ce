"""Text for a terminal measured by display width: a Chinese character takes two columns, and
Chinese text has no spaces to break at, so `textwrap` (which counts characters and breaks at
spaces) overflows an 80-column terminal."""

from __future__ import annotations

import shutil

from wcwidth import wcswidth, wcwidth

# Chinese line-breaking rules: closing punctuation must not begin a line, opening must not end one.
NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)]%")
NO_LINE_END = set("（《「『“‘([")
MAX_WIDTH = 100


def display_width(text: str) -> int:
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(c), 0) for c in text)


def terminal_width() -> int:
    return min(shutil.get_terminal_size((80, 24)).columns, MAX_WIDTH)


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Each paragraph of `text` broken into lines of at most `width` columns (indent included).
    Latin words and numbers are kept whole when they fit on a line; closing punctuation stays
    with the character before it, opening punctuation with the one after it (「2021-03-15」,
    「（空）」 are not split at a bracket)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += _wrap_paragraph(paragraph, max(width - display_width(indent), 8), indent)
    return lines


def _wrap_paragraph(paragraph: str, width: int, indent: str) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    for token in _tokens(paragraph):
        if line and display_width("".join(line) + token) > width:
            carried: list[str] = []
            while len(line) > 1 and ((carried or [token])[0][0] in NO_LINE_START or line[-1][-1] in NO_LINE_END):
                carried.insert(0, line.pop())
            lines.append(indent + "".join(line).rstrip())
            line = [t for t in carried + [token] if t.strip()] if not token.isspace() else carried
            continue
        line.append(token)
    return lines + [indent + "".join(line).rstrip()]


def _tokens(text: str) -> list[str]:
    """Runs of ASCII non-space characters (words, numbers, options such as --roster) stay
    together; every other character is its own token, so Chinese text can break anywhere."""
    tokens: list[str] = []
    for char in text:
        if tokens and _is_word(char) and _is_word(tokens[-1][-1]):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def _is_word(char: str) -> bool:
    return char.isascii() and not char.isspace()
