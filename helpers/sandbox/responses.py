"""Responses shaped like AWS's, one builder per protocol, and AwsError for handlers."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from .request import Request

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


class AwsError(Exception):
    """Raised by a handler: answered as the AWS error `code` in the request's protocol."""

    def __init__(self, code: str, message: str, status: int = 400, **fields: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields


def _request_id() -> str:
    return str(uuid.uuid4())


def json_reply(body: dict[str, Any], status: int = 200) -> Response:
    """A JSON-protocol answer (organizations, sso-admin, identitystore, cloudtrail)."""
    return Response(
        json.dumps(body),
        status=status,
        content_type=JSON_CONTENT_TYPE,
        headers={"x-amzn-RequestId": _request_id()},
    )


def json_error(code: str, message: str, status: int = 400, **fields: str) -> Response:
    """A JSON-protocol error; extra fields (e.g. Reason) land next to the message."""
    body = {"__type": code, "Message": message, **fields}
    response = json_reply(body, status)
    response.headers["x-amzn-ErrorType"] = code
    return response


def _xml(body: str, status: int) -> Response:
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        status=status,
        content_type="text/xml",
        headers={"x-amzn-RequestId": _request_id()},
    )


def _elements(fields: dict[str, str]) -> str:
    return "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())


def query_error(code: str, message: str, status: int = 400) -> Response:
    """A query-protocol error (iam, sts, cloudformation)."""
    error = _elements({"Type": "Sender", "Code": code, "Message": message})
    return _xml(
        f"<ErrorResponse><Error>{error}</Error>"
        f"<RequestId>{_request_id()}</RequestId></ErrorResponse>",
        status,
    )


def ec2_error(code: str, message: str, status: int = 400) -> Response:
    """An EC2-protocol error."""
    error = _elements({"Code": code, "Message": message})
    return _xml(
        f"<Response><Errors><Error>{error}</Error></Errors>"
        f"<RequestID>{_request_id()}</RequestID></Response>",
        status,
    )


def s3_error(code: str, message: str, status: int = 400, **fields: str) -> Response:
    """An S3 REST-XML error; extra fields (e.g. BucketName) become elements."""
    error = _elements({"Code": code, "Message": message, **fields, "RequestId": _request_id()})
    return _xml(f"<Error>{error}</Error>", status)


def error_reply(
    request: Request, code: str, message: str, status: int = 400, **fields: str
) -> Response:
    """An error in whatever protocol the request's service speaks."""
    if request.protocol in ("json", "rest-json"):
        return json_error(code, message, status, **fields)
    if request.protocol == "ec2":
        return ec2_error(code, message, status)
    if request.protocol == "rest-xml":
        return s3_error(code, message, status, **fields)
    return query_error(code, message, status)
