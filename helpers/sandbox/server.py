"""Sandbox: moto plus the kit's extensions, served on 127.0.0.1 from a background thread."""

from __future__ import annotations

import http.client
import json
import os
from threading import Thread
from types import TracebackType
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import BaseWSGIServer, make_server

from .app import KitApp
from .seed import DUMMY_CREDENTIALS, SANDBOX_REGION, seed
from .settings import Settings

HOST = "127.0.0.1"
# moto copies its catalogue of public AMIs into each account's EC2 backend in every region
# it touches (7.6 MiB an account); the kit never launches an instance from one.
# MOTO_EC2_LOAD_DEFAULT_AMIS=true brings them back.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


class _QuietRequestHandler(MotoRequestHandler):
    """moto's request handler without a log line per request (errors are still logged)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Sandbox:
    """A moto server with the kit's fidelity extensions, seeded with the starting state."""

    def __init__(
        self, port: int = 0, create_account_seconds: float = 2.0, account_quota: int = 10
    ) -> None:
        self.port = port
        self.settings = Settings(create_account_seconds, account_quota)
        self.app = KitApp(self.settings, lambda: seed(self.url))
        self._server: BaseWSGIServer | None = None
        self._thread: Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Sandbox:
        """Serve in a background thread, then reset moto and seed the starting state."""
        self._server = make_server(
            HOST, self.port, self.app, threaded=True, request_handler=_QuietRequestHandler
        )
        self.port = self._server.server_port
        self._thread = Thread(target=self._server.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        self.reset()
        return self

    def wait(self) -> None:
        """Block until the server stops (for a foreground server; Ctrl-C interrupts)."""
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None

    def reset(self) -> None:
        """Clear moto and the extensions, then seed again (POST /moto-api/reset)."""
        self._post("/moto-api/reset", b"")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings at run time (POST /_kit/settings); returns them all."""
        return json.loads(self._post("/_kit/settings", json.dumps(settings).encode()))

    def env(self) -> dict[str, str]:
        """Environment for boto3 clients: endpoint, region, management account credentials."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_DEFAULT_REGION": SANDBOX_REGION,
            "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIALS["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIALS["SecretAccessKey"],
        }

    def _post(self, path: str, body: bytes) -> bytes:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request("POST", path, body=body)
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"sandbox {path}: HTTP {response.status} {answer[:200]!r}")
        return answer

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
