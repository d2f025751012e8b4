"""The sandbox's tunable settings, changed at run time through POST /_kit/settings."""

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class Settings:
    """How the sandbox's fidelity extensions behave."""

    create_account_seconds: float = 2.0
    account_quota: int = 10
    close_account_seconds: float = 2.0  # PENDING_CLOSURE lasts this long, then SUSPENDED
    close_quota_floor: int = 250  # CloseAccount per rolling 30 days: the higher of this ...
    close_quota_percent: int = 20  # ... and this share of the member accounts, at most 1,000

    def update(self, changes: dict[str, Any]) -> None:
        """Apply known settings, converted to their type; ValueError for anything else."""
        types = {field.name: type(getattr(self, field.name)) for field in fields(self)}
        unknown = set(changes) - set(types)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        converted = {name: types[name](value) for name, value in changes.items()}
        for name, value in converted.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
