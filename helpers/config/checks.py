"""What the cross-field checks read: the file's top-level sections, each validated on its
own (`Sections`), so that one bad value does not hide the problems elsewhere, and the
small helpers the checks share."""

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Annotated, Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

Issue = tuple[str, str]  # (field path, what is wrong and what is expected)


@cache
def _adapter(model: type[BaseModel], name: str, item: bool = False) -> TypeAdapter:
    field = model.model_fields[name]
    return TypeAdapter(
        get_args(field.annotation)[0] if item else Annotated[field.annotation, field]
    )


class Sections:
    """The raw file's top-level sections (the fields of `model`), each validated on its own."""

    def __init__(self, raw: dict[str, Any], model: type[BaseModel]) -> None:
        self._raw = raw
        self._model = model

    def whole(self, name: str) -> Any | None:
        """The validated section (or its default), None if it is missing or has errors."""
        field = self._model.model_fields[name]
        if name not in self._raw:
            return None if field.is_required() else field.get_default(call_default_factory=True)
        try:
            return _adapter(self._model, name).validate_python(self._raw[name])
        except ValidationError:
            return None

    def raw(self, name: str) -> Any:
        """The section as the file gives it (None if missing)."""
        return self._raw.get(name)

    def items(self, name: str) -> list[tuple[int, Any]]:
        """The well-formed items of a list section, with their indexes."""
        raw = self._raw.get(name)
        valid = []
        for index, item in enumerate(raw if isinstance(raw, list) else []):
            try:
                valid.append((index, _adapter(self._model, name, item=True).validate_python(item)))
            except ValidationError:
                continue
        return valid


Check = Callable[[Sections], Iterator[Issue]]


def duplicates(entries: Iterable[tuple[str, str]], rule: str) -> Iterator[Issue]:
    """Flag each (path, value) whose value (ignoring case) an earlier entry already used."""
    first: dict[str, str] = {}
    for path, value in entries:
        earlier = first.setdefault(value.casefold(), path)
        if earlier != path:
            yield path, f"{value!r} is already used by {earlier}; {rule}"


def valid(raw: Any, model: type[BaseModel], key: str) -> list[tuple[int, Any]]:
    """The well-formed items of a list field of `model`, with their indexes."""
    adapter = TypeAdapter(get_args(model.model_fields[key].annotation)[0])
    found = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            found.append((index, adapter.validate_python(item)))
        except ValidationError:
            continue
    return found


def raw_names(items: Any, default: str | None = None, key: str = "name") -> list[str]:
    """The names the file gives a list of mappings, even where other fields are wrong."""
    mappings = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return [str(item.get(key, default)) for item in mappings if item.get(key, default)]


def model_or_nothing(raw: Any, model: type[BaseModel]) -> list[Any]:
    """[the part validated], or [] when it is missing or has errors of its own."""
    try:
        return [] if raw is None else [model.model_validate(raw)]
    except ValidationError:
        return []
