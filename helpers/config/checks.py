"""What the cross-field checks share: the file's top-level sections, each validated on its
own (`Sections`), so that one bad value does not hide the problems elsewhere; the one way
to check a reference to an OU or an account; and the duplicate rule.

A reference is checked against a section once that section is valid: until then the
section's own problems are reported, and not every reference to it again."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from typing import Annotated, Any, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError

from .fields import ROOT, shown

Issue = tuple[str, str]  # (field path, what is wrong and what is expected)


@cache
def _adapter(model: type[BaseModel], name: str, item: bool = False) -> TypeAdapter:
    field = model.model_fields[name]
    return TypeAdapter(
        get_args(field.annotation)[0] if item else Annotated[field.annotation, field]
    )


def valid(raw: Any, model: type[BaseModel], key: str) -> list[tuple[int, Any]]:
    """The well-formed items of the list `raw` given for the field `key` of `model`, with
    their indexes."""
    found = []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            found.append((index, _adapter(model, key, item=True).validate_python(item)))
        except ValidationError:
            continue
    return found


def ou_paths(ous: Iterable[Any], parent: str = "") -> Iterator[str]:
    """The paths of an OU tree ("Workloads/Dev"), each parent before its children."""
    for ou in ous:
        path = f"{parent}/{ou.name}" if parent else ou.name
        yield path
        yield from ou_paths(ou.children, path)


class Sections:
    """The raw file's top-level sections (the fields of `model`), each validated on its own."""

    def __init__(self, raw: dict[str, Any], model: type[BaseModel]) -> None:
        self._raw = raw
        self._model = model
        self._whole: dict[str, Any] = {}

    def whole(self, name: str) -> Any | None:
        """The validated section (or its default), None if it is missing or has errors."""
        if name not in self._whole:
            self._whole[name] = self._validate(name)
        return self._whole[name]

    def _validate(self, name: str) -> Any | None:
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
        return valid(self._raw.get(name), self._model, name)

    def unknown_ous(self, entries: Iterable[tuple[str, Any]]) -> Iterator[Issue]:
        """Each (path, value) whose value is not an OU path of organizational_units (or
        Root)."""
        ous = self.whole("organizational_units")
        if ous is None:
            return
        known = [ROOT, *ou_paths(ous)]
        for path, value in entries:
            if value not in known:
                yield path, f"{shown(value)} is not an OU path; expected one of: {', '.join(known)}"

    def unknown_accounts(
        self,
        entries: Iterable[tuple[str, Any]],
        why: str = "",
        also: Sequence[str] = (),
        management: bool = False,
    ) -> Iterator[Issue]:
        """Each (path, value) whose value names no member account in accounts (nor one of
        `also`, nor with `management` the management account's name); `why` says which
        account is expected and ends with ", "."""
        accounts = self.whole("accounts")
        manager = self.whole("management_account") if management else None
        if accounts is None or (management and manager is None):
            return
        known = [a.name for a in accounts] + [*also] + ([manager.name] if manager else [])
        expected = f"expected one of: {', '.join(known)}" if known else "accounts lists none"
        for path, value in entries:
            if value not in known:
                yield path, f"{shown(value)} is not an account in accounts; {why}{expected}"


Check = Callable[[Sections], Iterator[Issue]]


def duplicates(entries: Iterable[tuple[str, str]], rule: str) -> Iterator[Issue]:
    """Flag each (path, value) whose value (ignoring case) an earlier entry already used."""
    first: dict[str, str] = {}
    for path, value in entries:
        earlier = first.setdefault(value.casefold(), path)
        if earlier != path:
            yield path, f"{value!r} is already used by {earlier}; {rule}"


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
