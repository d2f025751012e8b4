"""The extension registry: handlers that answer requests before moto, and reset hooks.

A handler is a function `(request) -> response | None`, registered for a (service,
operation) pair where "*" matches anything. Handlers run in registration order; the first
that returns a response answers the request, and `None` passes it on (to the next
handler, then to moto). A handler may raise `AwsError` (or let a moto `ServiceException`
escape): the caller gets that error in the protocol of the service it called.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import RLock

from moto.core.exceptions import ServiceException
from werkzeug.wrappers import Response

from .request import Request
from .responses import AwsError, error_reply

Handler = Callable[[Request], Response | None]

_handlers: list[tuple[str, str, Handler]] = []
_reset_hooks: list[Callable[[], None]] = []
# Extensions keep state in module globals, as moto does; one lock keeps them consistent.
_lock = RLock()


def handler(service: str, operation: str) -> Callable[[Handler], Handler]:
    """Register the decorated function for requests to `service` / `operation`."""

    def register(function: Handler) -> Handler:
        _handlers.append((service, operation, function))
        return function

    return register


def on_reset(function: Callable[[], None]) -> Callable[[], None]:
    """Register the decorated function to clear extension state on every reset."""
    _reset_hooks.append(function)
    return function


def dispatch(request: Request) -> Response | None:
    """The first response a matching handler gives, or None to let moto answer."""
    with _lock:
        for service, operation, function in _handlers:
            if service not in ("*", request.service) or operation not in ("*", request.operation):
                continue
            try:
                response = function(request)
            except AwsError as error:
                return error_reply(request, error.code, error.message, error.status, **error.fields)
            except ServiceException as error:
                return error_reply(request, error.code, error.message)
            if response is not None:
                return response
    return None


def reset_extensions() -> None:
    """Run every reset hook (after moto itself was reset)."""
    with _lock:
        for hook in _reset_hooks:
            hook()
