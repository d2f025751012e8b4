"""The kit's two ways of reading AWS's answers: every page of a list, and an error's code.

One idiom for AWS errors everywhere: `or_none(...)` when an error means "not there", and
`except ClientError as error: if error_code(error) not in (...): raise` for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")


def paginate(client, operation: str, key: str, **params: Any) -> Iterator[dict]:
    """Every item under `key` in every page of `operation` (botocore's paginator)."""
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def error_code(error: ClientError) -> str:
    """AWS's code for a failed call (for example "NoSuchEntity", "AccessDenied")."""
    return error.response.get("Error", {}).get("Code", "")


def or_none(call: Callable[..., T], *codes: str, **params: Any) -> T | None:
    """`call(**params)`, or None when AWS answers with one of `codes` (the thing is absent)."""
    try:
        return call(**params)
    except ClientError as error:
        if error_code(error) not in codes:
            raise
        return None
