"""Reading the file: YAML (keys given twice noted with their line), then the models, then
the cross-field checks; every problem found is reported at once."""

from pathlib import Path

import yaml
from pydantic import ValidationError

from .checks import Sections
from .messages import FILE, TOP, ConfigError, field_path, message, yaml_kind, yaml_problem
from .org import CHECKS, OrgConfig


class _Loader(yaml.SafeLoader):
    """A SafeLoader that notes keys given twice in one mapping (PyYAML keeps the last)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.issues: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                self.issues.append(
                    f"{FILE}: line {key.start_mark.line + 1}: key {key.value!r} appears twice "
                    "in the same mapping; write it once"
                )
            seen.add(getattr(key, "value", None))
        return super().construct_mapping(node, deep)


def parse_config(text: str, source: str = "<text>") -> OrgConfig:
    """Validate the desired state given as YAML text (source names it in errors)."""
    loader = _Loader(text)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as error:
        raise ConfigError(source, [yaml_problem(error)]) from None
    finally:
        loader.dispose()
    errors = list(loader.issues)
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


def load_config(path: str | Path) -> OrgConfig:
    """Read and validate the desired-state file; ConfigError lists every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), [f"{FILE}: cannot read it ({error})"]) from None
    return parse_config(text, source=str(path))
