"""Reading the file: YAML (keys given twice noted with their line), then the models, then
the cross-field checks; every problem found is reported at once.

Whatever the file holds, the answer is a `ConfigError`: a file that is not UTF-8, holds a
character YAML forbids, or would exhaust the reader (over MAX_BYTES, nested deeper than
MAX_DEPTH, more than MAX_VALUES values once aliases are repeated, one value over
MAX_CHARACTERS) is refused with the place and the reason, never with a traceback."""

from pathlib import Path

import yaml
from pydantic import ValidationError

from .checks import Sections
from .messages import (
    FILE,
    TOP,
    ConfigError,
    Refused,
    field_path,
    message,
    shortened,
    yaml_kind,
    yaml_problem,
)
from .org import CHECKS, OrgConfig

MAX_BYTES = 1_000_000  # the example has 12 KB; 1,000 accounts and their people fit in 1 MB
MAX_DEPTH = 50  # lists and mappings in one another; the deepest valid file needs about 15
MAX_VALUES = 100_000  # YAML nodes, an alias counting as all it repeats ("billion laughs")
MAX_CHARACTERS = 10_000  # in one value; the longest AWS allows in the file is an ARN (2,048)


class _Loader(yaml.SafeLoader):
    """A SafeLoader that notes keys given twice in one mapping (PyYAML keeps the last) and
    refuses what would exhaust it, or a value it cannot read, with the line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # the reader refuses forbidden characters here
        self.issues: list[str] = []
        self._depth = 0
        self._values = 0
        self._sizes: dict[int, int] = {}  # id(anchored node) -> the values it holds

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = self.anchors.get(event.anchor)
            self._count(self._sizes.get(id(node), 1), event)
            return super().compose_node(parent, index)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_CHARACTERS:
            raise Refused(
                event.start_mark,
                f"a value of {len(event.value):,} characters; the kit reads at most "
                f"{MAX_CHARACTERS:,} in one value",
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise Refused(
                event.start_mark,
                f"lists and mappings nest more than {MAX_DEPTH} levels deep here; the "
                "desired-state file needs far fewer",
            )
        before = self._values
        self._count(1, event)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if getattr(event, "anchor", None):
            self._sizes[id(node)] = self._values - before
        return node

    def _count(self, values: int, event: yaml.Event) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise Refused(
                event.start_mark,
                f"the file holds more than {MAX_VALUES:,} values (an alias such as *name "
                "counts as all the values it repeats); the desired-state file needs far fewer",
            )

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except ValueError as error:  # an integer of 5,000 digits, a date such as 2024-13-45
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shortened(str(node.value))} ({error})", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue  # a list or mapping as a key: the constructor refuses it
            if key.value in seen:
                self.issues.append(
                    f"{FILE}: line {key.start_mark.line + 1}: key {key.value!r} appears twice "
                    "in the same mapping; write it once"
                )
            seen.add(key.value)
        return super().construct_mapping(node, deep)


def _yaml(text: str, source: str) -> tuple[object, list[str]]:
    """The data of the YAML text and the issues noted while reading it."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as error:
        raise ConfigError(source, [yaml_problem(error, text)]) from None
    try:
        return loader.get_single_data(), loader.issues
    except yaml.YAMLError as error:
        raise ConfigError(source, [yaml_problem(error, text)]) from None
    finally:
        loader.dispose()


def parse_config(text: str, source: str = "<text>") -> OrgConfig:
    """Validate the desired state given as YAML text (source names it in errors)."""
    raw, issues = _yaml(text, source)
    errors = list(issues)
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        expected = ", ".join(OrgConfig.model_fields)
        problem = f"expected a mapping with the sections {expected}; got {yaml_kind(raw)}"
        raise ConfigError(source, [*errors, f"{TOP}: {problem}"])
    try:
        config = OrgConfig.model_validate(raw)
    except ValidationError as error:
        errors += [f"{field_path(e['loc'])}: {message(e, OrgConfig)}" for e in error.errors()]
    sections = Sections(raw, OrgConfig)
    errors += [f"{path}: {problem}" for rule in CHECKS for path, problem in rule(sections)]
    if errors:
        raise ConfigError(source, errors)
    return config


def read_text(path: str | Path) -> str:
    """The file's text: at most MAX_BYTES of UTF-8 (ConfigError otherwise)."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise ConfigError(str(path), [f"{FILE}: cannot read it ({error})"]) from None
    if len(data) > MAX_BYTES:
        problem = (
            f"is larger than {MAX_BYTES:,} bytes, far more than a desired-state file holds "
            "(the example has 12 KB): is it the right file?"
        )
        raise ConfigError(str(path), [f"{FILE}: {problem}"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problem = (
            f"cannot read it as UTF-8 text: line {line} holds the byte "
            f"0x{data[error.start]:02x}; save the file as UTF-8"
        )
        raise ConfigError(str(path), [f"{FILE}: {problem}"]) from None


def load_config(path: str | Path) -> OrgConfig:
    """Read and validate the desired-state file; ConfigError lists every problem."""
    return parse_config(read_text(path), source=str(path))
