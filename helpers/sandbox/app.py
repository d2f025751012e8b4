"""The WSGI app: kit endpoints, request counting and extensions in front of moto."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from threading import Event, Lock
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.wrappers import Response

# The extension modules register their handlers on import, in this order: enforcement
# first, since it may deny any request before another extension answers it.
from . import enforcement  # noqa: F401

# isort: split
from . import (  # noqa: F401
    account_creation,
    cfn_resources,
    closing,
    cloudtrail,
    costs,
    guardduty,
    handshakes,
    identity_center,
    managed_policies,
    policy_checks,
    stacksets,
)
from .extensions import dispatch, reset_extensions
from .request import parse_request, read_body
from .seed import ORIGINAL_ACCOUNT_ID, SEEDED_RESOURCES, own_credentials
from .settings import Settings

Seeder = Callable[[], None]
_CREDENTIALS_PATH = re.compile(r"/_kit/credentials/(\d{12})")


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


class KitApp:
    """moto's app, wrapped: counts AWS requests, runs extensions, serves /_kit/."""

    def __init__(self, settings: Settings, seed: Seeder) -> None:
        self.settings = settings
        self._seed = seed
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._operations: Counter[str] = Counter()
        self._lock = Lock()
        self._seeded = Event()  # the /_kit/ endpoints answer once seeding is done

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_kit/"):
            return self._kit(environ, path)(environ, start_response)
        if path == "/moto-api/reset" and environ["REQUEST_METHOD"] == "POST":
            answer = list(self._moto(environ, start_response))
            self._after_reset()
            return answer
        if path.startswith("/moto-api/"):
            return self._moto(environ, start_response)
        request = parse_request(environ, read_body(environ), self.settings)
        # moto would find the account again by scanning every account's keys: tell it
        environ.setdefault("HTTP_X_MOTO_ACCOUNT_ID", request.account_id)
        with self._lock:
            self._operations[f"{request.service}:{request.operation}"] += 1
        response = dispatch(request)
        if response is None:
            return self._moto(environ, start_response)
        return response(environ, start_response)

    def _after_reset(self) -> None:
        """After moto's reset: clear the extensions, seed again, zero the counters."""
        self._seeded.clear()
        reset_extensions()
        self._seed()
        self._clear_counts()
        self._seeded.set()

    def _clear_counts(self) -> None:
        with self._lock:
            self._operations.clear()

    def _stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": sum(self._operations.values()),
                "operations": dict(self._operations),
            }

    def _kit(self, environ: dict[str, Any], path: str) -> Response:
        """Answer a /_kit/ endpoint (never counted as AWS traffic), once seeded."""
        self._seeded.wait(timeout=60)
        method = environ["REQUEST_METHOD"]
        match = _CREDENTIALS_PATH.fullmatch(path)
        if match and method == "GET":
            credentials = own_credentials(match.group(1))
            if credentials is None:
                message = (
                    f"no credentials of its own for {match.group(1)} (none seeded, or retired)"
                )
                return _json({"message": message}, 404)
            return _json(credentials)
        if path == "/_kit/seed" and method == "GET":
            return _json(
                {"original_account_id": ORIGINAL_ACCOUNT_ID, "resources": SEEDED_RESOURCES}
            )
        if path == "/_kit/stats" and method == "GET":
            return _json(self._stats())
        if path == "/_kit/stats/reset" and method == "POST":
            self._clear_counts()
            return _json(self._stats())
        if path == "/_kit/settings" and method in ("GET", "POST"):
            if method == "POST":
                try:
                    self.settings.update(json.loads(read_body(environ) or b"{}"))
                except (ValueError, TypeError) as error:
                    return _json({"message": str(error)}, 400)
            return _json(self.settings.as_dict())
        return _json({"message": f"no kit endpoint {method} {path}"}, 404)
