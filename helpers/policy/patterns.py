"""Policy variables (``${aws:PrincipalAccount}``) and the wildcards ``*`` and ``?``."""

from __future__ import annotations

import re

from .context import Context

_TOKEN = re.compile(r"\$\{([^}]*)\}|[*?]")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'((?:[^']|'')*)'\s*$")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


def _variable(expression: str, context: Context) -> str | None:
    """The value of ``${expression}``: ``${*}``, ``${?}``, ``${$}`` are literal characters,
    ``${key, 'default'}`` falls back to the default; None when the key has no single value
    (IAM then treats the value as null: it equals and is like nothing)."""
    if expression in _LITERALS:
        return _LITERALS[expression]
    default = _DEFAULT.match(expression)
    if default:
        value = context.single(default.group(1))
        return default.group(2).replace("''", "'") if value is None else value
    return context.single(expression.strip())


def substitute(text: str, context: Context) -> str | None:
    """`text` with its policy variables replaced (wildcards stay as they are); None if a
    variable has no value."""
    out = []
    for kind, piece in _split(text):
        value = _variable(piece, context) if kind == "var" else piece
        if value is None:
            return None
        out.append(value)
    return "".join(out)


def wildcard(text: str, context: Context, *, ignore_case: bool = False) -> re.Pattern | None:
    """`text` as a regular expression: ``*`` any run of characters, ``?`` one character,
    variables replaced by their literal values; None if a variable has no value."""
    out = []
    for kind, piece in _split(text):
        if kind == "wild":
            out.append(".*" if piece == "*" else ".")
            continue
        value = _variable(piece, context) if kind == "var" else piece
        if value is None:
            return None
        out.append(re.escape(value))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def like(value: str, pattern: str, context: Context, *, ignore_case: bool = False) -> bool:
    """Whether `value` matches the wildcard `pattern` (case-sensitive unless told)."""
    compiled = wildcard(pattern, context, ignore_case=ignore_case)
    return compiled is not None and compiled.fullmatch(value) is not None


def arn_like(value: str, pattern: str, context: Context) -> bool:
    """ArnLike/ArnEquals: each of the six colon-separated parts of the ARN matched on its
    own (a pattern of fewer parts, such as ``*``, is matched as a whole)."""
    values, patterns = value.split(":", 5), pattern.split(":", 5)
    if len(patterns) < 6:
        return like(value, pattern, context)
    return len(values) == 6 and all(
        like(v, p, context) for v, p in zip(values, patterns, strict=True)
    )


def _split(text: str) -> list[tuple[str, str]]:
    """`text` as ("text", literal), ("wild", "*" or "?") and ("var", inside of ``${...}``)."""
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            pieces.append(("text", text[position : match.start()]))
        if match.group(1) is None:
            pieces.append(("wild", match.group(0)))
        else:
            pieces.append(("var", match.group(1)))
        position = match.end()
    if position < len(text):
        pieces.append(("text", text[position:]))
    return pieces
