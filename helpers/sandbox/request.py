"""What the sandbox knows about an AWS request before moto sees it."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from moto.core import DEFAULT_ACCOUNT_ID
from werkzeug.datastructures import EnvironHeaders

from .access_keys import account_of
from .s3_operations import s3_operation
from .settings import Settings

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
# Signing names that differ from the boto3 client name.
_SERVICE_ALIASES = {"sso": "sso-admin"}


@dataclass
class Request:
    """One AWS API request: who asks what of which service, with which parameters."""

    service: str  # boto3 client name, e.g. "organizations", "s3", "sso-admin"; "" if unsigned
    operation: str  # e.g. "CreateAccount", "PutBucketPolicy"; "" if not recognised
    region: str
    account_id: str  # the caller's account, resolved as moto does
    access_key: str
    protocol: str  # "json", "query", "ec2", "rest-xml" or "rest-json"
    method: str
    path: str
    params: dict[str, Any]  # JSON body, or form and query-string fields (first value)
    headers: Mapping[str, str]
    body: bytes
    settings: Settings

    @property
    def bucket(self) -> str:
        """The S3 bucket a path-style S3 request addresses ("" if none)."""
        return self.path.lstrip("/").partition("/")[0] if self.service == "s3" else ""

    @property
    def key(self) -> str:
        """The S3 object key a path-style S3 request addresses ("" if none)."""
        return self.path.lstrip("/").partition("/")[2] if self.service == "s3" else ""


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back for moto to read again."""
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _credential_scope(environ: dict[str, Any], query: dict[str, str]) -> tuple[str, str, str]:
    """Access key, region and signing name from the SigV4 header or a presigned URL."""
    match = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match is None:
        match = _SCOPE.search("Credential=" + query.get("X-Amz-Credential", ""))
    if match is None:
        return "", "", ""
    access_key, region, service = match.groups()
    return access_key, region, _SERVICE_ALIASES.get(service, service)


def _account_id(headers: Mapping[str, str], access_key: str) -> str:
    """The caller's account in moto's order: MOTO_ACCOUNT_ID, x-moto-account-id, the key."""
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if "x-moto-account-id" in headers:
        return headers["x-moto-account-id"]
    return account_of(access_key) if access_key else DEFAULT_ACCOUNT_ID


def _protocol(service: str, headers: Mapping[str, str], params: dict[str, Any]) -> str:
    if "X-Amz-Target" in headers:
        return "json"
    if service == "s3":
        return "rest-xml"
    if service == "ec2":
        return "ec2"
    return "query" if "Action" in params else "rest-json"


def _params(headers: Mapping[str, str], body: bytes, query: dict[str, str]) -> dict[str, Any]:
    content_type = headers.get("Content-Type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {**query, **dict(parse_qsl(body.decode(), keep_blank_values=True))}
    if body and ("json" in content_type or "X-Amz-Target" in headers):
        try:
            document = json.loads(body)
        except ValueError:
            return dict(query)
        return {**query, **document} if isinstance(document, dict) else dict(query)
    return dict(query)


def parse_request(environ: dict[str, Any], body: bytes, settings: Settings) -> Request:
    """Build a Request from a WSGI environ and its already-read body."""
    headers = EnvironHeaders(environ)
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    access_key, region, service = _credential_scope(environ, query)
    params = _params(headers, body, query)
    protocol = _protocol(service, headers, params)
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    if protocol == "json":
        operation = headers["X-Amz-Target"].rpartition(".")[2]
    elif protocol == "rest-xml":
        operation = s3_operation(method, path, query, headers)
    else:
        operation = str(params.get("Action", ""))
    return Request(
        service=service,
        operation=operation,
        region=region,
        account_id=_account_id(headers, access_key),
        access_key=access_key,
        protocol=protocol,
        method=method,
        path=path,
        params=params,
        headers=headers,
        body=body,
        settings=settings,
    )
