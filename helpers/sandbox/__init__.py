"""The embedded sandbox: a moto server plus fidelity extensions (see docs/architecture.md)."""

from .seed import (
    ACCOUNT_DIRECTORY,
    DUMMY_CREDENTIALS,
    MANAGEMENT_ACCOUNT_ID,
    ORIGINAL_ACCOUNT_ID,
    SANDBOX_REGION,
    SEEDED_RESOURCES,
)
from .server import Sandbox
from .settings import Settings

__all__ = [
    "ACCOUNT_DIRECTORY",
    "DUMMY_CREDENTIALS",
    "MANAGEMENT_ACCOUNT_ID",
    "ORIGINAL_ACCOUNT_ID",
    "SANDBOX_REGION",
    "SEEDED_RESOURCES",
    "Sandbox",
    "Settings",
]
