"""The Condition element: operators, IfExists, set qualifiers and missing keys.

What is implemented, from AWS's "IAM JSON policy elements: Condition operators" and
"Single-valued vs. multivalued context keys":

- Several values for one key are OR'ed; several keys, and several operators, are AND'ed.
  For a negated operator (StringNotEquals, NotIpAddress, ArnNotLike, ...) the request value
  must match *none* of the values.
- Key names are case-insensitive; values are case-sensitive except for the IgnoreCase
  operators, Bool and action names.
- A key missing from the request makes the condition false, and true for a negated
  operator ("If the policy condition requires that the key is not matched ... the
  condition is true"). ``...IfExists`` makes any operator true when the key is missing.
- ``Null: true`` holds when the key is missing, ``Null: false`` when it is present.
- ``ForAllValues:`` holds when every request value satisfies the operator, and also when
  the key is missing or empty. ``ForAnyValue:`` holds when at least one does, and is false
  when the key is missing or empty (unless ``...IfExists``).
- A plain operator on a multivalued key behaves as ForAnyValue (AWS advises against it).
- Policy variables are replaced in String, Arn and Bool values; a variable without a value
  is null, so the value it is in matches nothing.
- Dates are ISO 8601 (naive times are UTC) or seconds since the epoch; a value that does
  not parse as the operator's type matches nothing.
"""

from __future__ import annotations

import ipaddress
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .context import Context, values_of
from .patterns import arn_like, like, substitute

Test = Callable[[str, str, Context], bool]
"""Whether one request value matches one policy value."""


def _string_equals(value: str, wanted: str, context: Context) -> bool:
    return substitute(wanted, context) == value


def _string_equals_ignore_case(value: str, wanted: str, context: Context) -> bool:
    resolved = substitute(wanted, context)
    return resolved is not None and resolved.casefold() == value.casefold()


def _string_like(value: str, wanted: str, context: Context) -> bool:
    return like(value, wanted, context)


def _bool(value: str, wanted: str, context: Context) -> bool:
    resolved = substitute(wanted, context)
    return resolved is not None and resolved.lower() == value.lower()


def _binary_equals(value: str, wanted: str, context: Context) -> bool:
    return value == wanted


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime | None:
    try:
        moment = (
            datetime.fromtimestamp(float(text), UTC)
            if text.replace(".", "", 1).isdigit()
            else datetime.fromisoformat(text)
        )
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _compare(parse: Callable[[str], Any], relation: Callable[[Any, Any], bool]) -> Test:
    """A test that parses both values (numbers or dates) and relates request to policy."""

    def test(value: str, wanted: str, context: Context) -> bool:
        left, right = parse(value), parse(wanted)
        return left is not None and right is not None and relation(left, right)

    return test


def _ip_address(value: str, wanted: str, context: Context) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(wanted, strict=False)
    except (ValueError, TypeError):
        return False


def _arn(value: str, wanted: str, context: Context) -> bool:
    return arn_like(value, wanted, context)


_RELATIONS = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}

#: The positive operators and their tests.
POSITIVE: dict[str, Test] = {
    "StringEquals": _string_equals,
    "StringEqualsIgnoreCase": _string_equals_ignore_case,
    "StringLike": _string_like,
    "Bool": _bool,
    "BinaryEquals": _binary_equals,
    "IpAddress": _ip_address,
    "ArnEquals": _arn,
    "ArnLike": _arn,
    **{f"Numeric{name}": _compare(_number, rel) for name, rel in _RELATIONS.items()},
    **{f"Date{name}": _compare(_date, rel) for name, rel in _RELATIONS.items()},
}

#: The negated operators and the positive operator they negate.
NEGATED: dict[str, str] = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}

QUALIFIERS = ("ForAllValues", "ForAnyValue")


@dataclass(frozen=True)
class Operator:
    """A condition operator as written, e.g. ``ForAnyValue:StringNotLikeIfExists``."""

    name: str
    base: str
    qualifier: str | None
    if_exists: bool

    @classmethod
    def parse(cls, name: str) -> Operator:
        """The operator named `name`; ValueError when IAM does not know it."""
        qualifier, _, rest = name.rpartition(":")
        if qualifier and qualifier not in QUALIFIERS:
            raise ValueError(f"unknown condition set operator {qualifier!r} in {name!r}")
        if_exists = rest.endswith("IfExists")
        base = rest.removesuffix("IfExists")
        if base == "Null" and not (qualifier or if_exists):
            return cls(name, base, None, False)
        if base not in POSITIVE and base not in NEGATED:
            raise ValueError(f"unknown condition operator {name!r}")
        return cls(name, base, qualifier or None, if_exists)

    @property
    def negated(self) -> bool:
        return self.base in NEGATED

    def holds(self, key: str, wanted: list[str], context: Context) -> bool:
        """Whether this operator, applied to the request's `key`, is satisfied by `wanted`."""
        values = context.get(key)
        if self.base == "Null":
            missing = not values
            return any((w.lower() == "true") == missing for w in wanted)
        if self.qualifier and values is not None:
            values = [v for v in values if v != ""]
        if not values:
            if self.if_exists or self.qualifier == "ForAllValues":
                return True
            return False if self.qualifier == "ForAnyValue" else self.negated
        test = POSITIVE[NEGATED.get(self.base, self.base)]

        def satisfied(value: str) -> bool:
            return any(test(value, w, context) for w in wanted) != self.negated

        if self.qualifier == "ForAllValues":
            return all(satisfied(v) for v in values)
        return any(satisfied(v) for v in values)


def unmet(condition: Mapping[str, Mapping[str, Any]], context: Context) -> str | None:
    """The first clause of `condition` the request does not satisfy, as ``Operator key``;
    None when the whole condition holds."""
    for name, keys in condition.items():
        op = Operator.parse(name)
        for key, wanted in keys.items():
            if not op.holds(key, values_of(wanted), context):
                return f"{name} {key}"
    return None
