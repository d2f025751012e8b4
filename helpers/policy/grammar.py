"""The policy grammar: parse and check a policy document, and its statements in one shape."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .conditions import Operator

TOP_LEVEL = {"Version", "Id", "Statement"}
STATEMENT = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
VERSIONS = {"2012-10-17", "2008-10-17"}
PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}
_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9_*?-]+$")


class PolicyError(ValueError):
    """A policy document that is not valid JSON or breaks the policy grammar."""


@dataclass(frozen=True)
class Statement:
    """One statement in one shape: lists everywhere, ``not_*`` flags for the Not elements.

    ``resources`` is None when the statement has no Resource element (a trust policy), and
    ``principals`` None when it has no Principal element (identity policies, SCPs); each
    principal is a (type, value) pair, ``("*", "*")`` for ``"Principal": "*"``.
    """

    index: int
    raw: Mapping[str, Any]
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None
    not_resource: bool
    principals: tuple[tuple[str, str], ...] | None
    not_principal: bool
    condition: Mapping[str, Mapping[str, Any]]

    @property
    def label(self) -> str:
        """The statement's Sid, else its position (``#0`` is the first)."""
        return self.raw.get("Sid") or f"#{self.index}"


def parse_policy(text: str | Mapping[str, Any], *, resource_policy: bool = False) -> dict:
    """The policy document `text` (JSON text or an already parsed dict), checked.

    ``resource_policy=True`` is for resource-based and trust policies: each statement needs
    a Principal or NotPrincipal. Otherwise (identity policies, permissions boundaries,
    session policies, SCPs) a Principal is an error. Raises PolicyError saying what is wrong.
    """
    if isinstance(text, str):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise PolicyError(f"not valid JSON: {error}") from None
    else:
        document = text
    if not isinstance(document, Mapping):
        raise PolicyError("a policy must be a JSON object")
    unknown = set(document) - TOP_LEVEL
    if unknown:
        raise PolicyError(f"unknown top-level element(s): {', '.join(sorted(unknown))}")
    if "Version" in document and document["Version"] not in VERSIONS:
        raise PolicyError(f"Version must be one of {sorted(VERSIONS)}")
    if "Statement" not in document:
        raise PolicyError("a policy needs a Statement element")
    body = document["Statement"]
    items = [body] if isinstance(body, Mapping) else body
    if not isinstance(items, list) or not items:
        raise PolicyError("Statement must be an object or a non-empty list of objects")
    for index, item in enumerate(items):
        try:
            _check_statement(item, resource_policy)
        except PolicyError as error:
            raise PolicyError(f"statement {index}: {error}") from None
    return dict(document)


def statements(document: Mapping[str, Any]) -> tuple[Statement, ...]:
    """The statements of a parsed document, in one shape."""
    body = document["Statement"]
    items = [body] if isinstance(body, Mapping) else body
    return tuple(_statement(index, item) for index, item in enumerate(items))


def _statement(index: int, raw: Mapping[str, Any]) -> Statement:
    resources = _pick(raw, "Resource")
    principals = _pick(raw, "Principal")
    return Statement(
        index=index,
        raw=raw,
        effect=raw["Effect"],
        actions=_strings(_pick(raw, "Action")[1]),
        not_action="NotAction" in raw,
        resources=None if resources[1] is None else _strings(resources[1]),
        not_resource=resources[0],
        principals=None if principals[1] is None else _principal_pairs(principals[1]),
        not_principal=principals[0],
        condition=raw.get("Condition", {}),
    )


def _pick(raw: Mapping[str, Any], element: str) -> tuple[bool, Any]:
    """(is it the Not form, its value) of Element/NotElement; value None when neither."""
    if f"Not{element}" in raw:
        return True, raw[f"Not{element}"]
    return False, raw.get(element)


def _strings(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _principal_pairs(value: str | Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    if value == "*":
        return (("*", "*"),)
    return tuple((kind, one) for kind, many in value.items() for one in _strings(many))


def _check_statement(raw: Any, resource_policy: bool) -> None:
    if not isinstance(raw, Mapping):
        raise PolicyError("a statement must be a JSON object")
    unknown = set(raw) - STATEMENT
    if unknown:
        raise PolicyError(f"unknown element(s): {', '.join(sorted(unknown))}")
    if "Sid" in raw and not isinstance(raw["Sid"], str):
        raise PolicyError("Sid must be a string")
    if raw.get("Effect") not in ("Allow", "Deny"):
        raise PolicyError('Effect must be "Allow" or "Deny"')
    _one_of(raw, "Action", required=True)
    _one_of(raw, "Resource", required=not resource_policy)
    has_principal = _one_of(raw, "Principal", required=resource_policy)
    if has_principal and not resource_policy:
        raise PolicyError(
            "Principal/NotPrincipal is not allowed here: identity policies, permissions "
            "boundaries, session policies and SCPs apply to whoever they are attached to"
        )
    for action in _strings(raw.get("Action", raw.get("NotAction"))):
        if action != "*" and not _ACTION.match(action):
            raise PolicyError(f"action {action!r} is not of the form 'service:Action'")
    for resource in _strings(raw.get("Resource", raw.get("NotResource", []))):
        if resource != "*" and not resource.startswith("arn:"):
            raise PolicyError(f"resource {resource!r} is neither '*' nor an ARN")
    if "NotPrincipal" in raw and raw["Effect"] == "Allow":
        raise PolicyError(
            'NotPrincipal with "Effect": "Allow" is not supported: name who may in Principal '
            "(narrowed with a condition on aws:PrincipalArn if need be)"
        )
    if has_principal:
        _check_principal(raw.get("Principal", raw.get("NotPrincipal")))
    if "Condition" in raw:
        _check_condition(raw["Condition"])


def _one_of(raw: Mapping[str, Any], element: str, *, required: bool) -> bool:
    """Check that at most one of Element/NotElement is there (exactly one if required),
    holding a string or a non-empty list of strings; whether one is there."""
    present = [name for name in (element, f"Not{element}") if name in raw]
    if len(present) == 2:
        raise PolicyError(f"a statement cannot have both {element} and Not{element}")
    if not present:
        if required:
            raise PolicyError(f"missing {element} (or Not{element})")
        return False
    if element != "Principal":
        _check_strings(raw[present[0]], present[0])
    return True


def _check_strings(value: Any, what: str) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{what} must be a string or a non-empty list of strings")


def _check_principal(value: Any) -> None:
    if value == "*":
        return
    if not isinstance(value, Mapping) or not value:
        raise PolicyError('Principal must be "*" or an object such as {"AWS": "..."}')
    unknown = set(value) - PRINCIPAL_TYPES
    if unknown:
        raise PolicyError(f"unknown principal type(s): {', '.join(sorted(unknown))}")
    for kind, names in value.items():
        _check_strings(names, f"Principal {kind}")
        for name in _strings(names):
            if kind == "AWS" and not (
                name == "*" or re.fullmatch(r"\d{12}", name) or name.startswith("arn:")
            ):
                raise PolicyError(f"AWS principal {name!r} is not '*', an account id or an ARN")


def _check_condition(condition: Any) -> None:
    if not isinstance(condition, Mapping):
        raise PolicyError("Condition must be an object of operators")
    for name, keys in condition.items():
        try:
            Operator.parse(name)
        except ValueError as error:
            raise PolicyError(str(error)) from None
        if not isinstance(keys, Mapping) or not keys:
            raise PolicyError(f"condition {name} must map condition keys to values")
        for key, wanted in keys.items():
            values = wanted if isinstance(wanted, list) else [wanted]
            if not values or not all(isinstance(v, str | bool | int | float) for v in values):
                raise PolicyError(f"condition {name} {key}: values must be strings or lists")
