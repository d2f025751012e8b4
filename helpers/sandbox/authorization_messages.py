"""How a denial reads: AWS's wording of an access-denied message, and EC2's encoded
authorization failure messages with their decoding.

AWS encrypts the encoded message; the sandbox only compresses and encodes it, which is as
opaque to a reader and lets sts:DecodeAuthorizationMessage decode it even after a reset.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from helpers.policy import Decision

_PREFIX = "kit-"
_EXPLICIT = {
    "rcp": "a resource control policy",
    "scp": "a service control policy",
    "identity": "an identity-based policy",
    "boundary": "a permissions boundary",
    "session": "a session policy",
    "resource": "a resource-based policy",
    "trust": "a resource-based policy",
}
_IMPLICIT = {
    "rcp": "resource control policy",
    "scp": "service control policy",
    "identity": "identity-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "resource": "resource-based policy",
}


def denial_message(decision: Decision, s3: bool = False) -> str:
    """AWS's wording: who may not do what on which resource, and which kind of policy said no."""
    request = decision.request
    text = f"User: {request.principal} is not authorized to perform: {request.action}"
    if request.resource != "*":
        text += f' on resource: "{request.resource}"' if s3 else f" on resource: {request.resource}"
    cause = decision.deciding[0] if decision.deciding else None
    if cause is None or cause.kind == "trust":
        return text  # AWS says no more for a trust policy that does not allow the caller
    if decision.decision == "ExplicitlyDenied":
        return f"{text} with an explicit deny in {_EXPLICIT[cause.kind]}"
    return f"{text} because no {_IMPLICIT[cause.kind]} allows the {request.action} action"


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
