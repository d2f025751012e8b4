"""EC2's encoded authorization failure messages, and their decoding.

AWS encrypts the message; the sandbox only compresses and encodes it, which is as opaque
to a reader and lets sts:DecodeAuthorizationMessage decode it even after a reset.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from helpers.policy import Decision

_PREFIX = "kit-"


def authorization_message(decision: Decision, principal_id: str) -> dict[str, Any]:
    """The decoded message, in the shape sts:DecodeAuthorizationMessage returns."""
    request = decision.request
    statements = [cause.statement for cause in decision.deciding if cause.statement]
    conditions = [
        {"key": "aws:RequestedRegion", "values": {"items": [{"value": request.region}]}},
        *(
            {"key": key, "values": {"items": [{"value": str(value)}]}}
            for key, value in request.context.items()
        ),
    ]
    return {
        "allowed": False,
        "explicitDeny": decision.decision == "ExplicitlyDenied",
        "matchedStatements": {"items": statements},
        "failures": {"items": []},
        "context": {
            "principal": {"id": principal_id, "arn": request.principal},
            "action": request.action,
            "resource": request.resource,
            "conditions": {"items": conditions},
        },
        "explanation": decision.text(),
    }


def encode(message: dict[str, Any]) -> str:
    """An opaque string carrying `message`."""
    packed = zlib.compress(json.dumps(message, separators=(",", ":")).encode())
    return _PREFIX + base64.urlsafe_b64encode(packed).decode()


def decode(encoded: str) -> str:
    """The JSON text of an encoded message; ValueError when it is not one."""
    if not encoded.startswith(_PREFIX):
        raise ValueError("not an encoded authorization message")
    try:
        return zlib.decompress(base64.urlsafe_b64decode(encoded[len(_PREFIX) :])).decode()
    except (binascii.Error, zlib.error, UnicodeDecodeError) as error:
        raise ValueError("not an encoded authorization message") from error
