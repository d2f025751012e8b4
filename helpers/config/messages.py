"""How the file's problems are told: `ConfigError`, and the kit's wording for what pydantic
and PyYAML report, each as "field.path[2].name: what is wrong and what is expected"."""

from collections.abc import Iterable
from typing import Any, get_args

import yaml
from pydantic import BaseModel

FILE = "(file)"
TOP = "(top level)"


class ConfigError(Exception):
    """The desired-state file has problems; `.errors` lists every one of them."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(source, errors)

    def __str__(self) -> str:
        lines = "\n".join(f"  - {error}" for error in self.errors)
        return f"{self.source}: {len(self.errors)} problem(s) in the desired-state file:\n{lines}"


class Refused(yaml.YAMLError):
    """Well-formed YAML the kit still does not read (too deep, too many values, a value too
    long): `mark` is where, `problem` what is wrong and what to do."""

    def __init__(self, mark: yaml.Mark, problem: str) -> None:
        super().__init__(problem)
        self.mark, self.problem = mark, problem


def yaml_problem(error: yaml.YAMLError, text: str) -> str:
    """A YAML error as one line: where (line and column) and what."""
    if isinstance(error, Refused):
        return f"{FILE}: line {error.mark.line + 1}: {error.problem}"
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        return (
            f"{FILE}: line {line}, column {column}: the character #x{error.character:04x} is "
            "not allowed in YAML (a control character such as NUL): remove it, or check that "
            "this is the desired-state file and not a binary one"
        )
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = getattr(error, "problem", None) or str(error)
    return f"{FILE}: {where}YAML syntax error: {what}"


def shortened(text: str, most: int = 100) -> str:
    """The text, or its start and its length when it is longer than `most` characters."""
    return text if len(text) <= most else f"{text[:most]}... ({len(text):,} characters)"


def field_path(loc: tuple[int | str, ...]) -> str:
    """('accounts', 2, 'email') -> 'accounts[2].email'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or TOP


def _model_at(root: type[BaseModel], loc: Iterable[int | str]) -> type[BaseModel] | None:
    """The model that the mapping at loc is validated against."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, str):
            field = model.model_fields.get(part) if model else None
            model = _model_in(field.annotation) if field else None
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, get_args(annotation))), None)


def yaml_kind(value: Any) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return "nothing" if value is None else kinds.get(type(value), "a mapping")


def message(error: dict[str, Any], root: type[BaseModel]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        keys = ", ".join(model.model_fields) if model else "none"
        return f"is not a known key; expected one of: {keys}"
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of keys to values, got {yaml_kind(error['input'])}"
    if kind == "list_type":
        return f"expected a list (lines starting with '- '), got {yaml_kind(error['input'])}"
    return error["msg"]
