"""A ready AWS CLI v2 configuration for each person: one sso-session, one profile per role.

`aws sso login --sso-session NAME` signs in once; then `aws --profile dev-ReadOnlyAccess ...`
works in every account and permission set the person may use. The files go to the run
folder, never over someone's ~/.aws/config; `merge` copies them in, only when asked.
"""

from __future__ import annotations

import configparser
import io
import re
from dataclasses import dataclass
from pathlib import Path

SCOPES = "sso:account:access"


@dataclass(frozen=True)
class Profile:
    """One account and permission set a person can reach."""

    account: str
    account_id: str
    permission_set: str

    @property
    def name(self) -> str:
        """Stable and readable: the account's name, then the permission set's."""
        return re.sub(r"[^\w.+=@-]", "-", f"{self.account}-{self.permission_set}")


def render(session: str, start_url: str, region: str, profiles: list[Profile]) -> str:
    """The text of an AWS CLI v2 config file with one sso-session and its profiles."""
    parser = configparser.ConfigParser(interpolation=None)
    parser[f"sso-session {session}"] = {
        "sso_start_url": start_url,
        "sso_region": region,
        "sso_registration_scopes": SCOPES,
    }
    for profile in sorted(profiles, key=lambda p: p.name):
        parser[f"profile {profile.name}"] = {
            "sso_session": session,
            "sso_account_id": profile.account_id,
            "sso_role_name": profile.permission_set,
            "region": region,
        }
    text = io.StringIO()
    parser.write(text)
    return text.getvalue()


def write(folder: Path, user: str, text: str) -> Path:
    """Write one person's config as <folder>/<user>.config (only the kit's own folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{user}.config"
    path.write_text(text, encoding="utf-8")
    return path


def merge(generated: Path, into: Path) -> list[str]:
    """Copy the generated sections into an existing config file, keeping every other one.

    Sections with the same name are replaced; returns the section names written. Opt-in:
    the kit never calls it by itself.
    """
    source = configparser.ConfigParser(interpolation=None)
    source.read(generated, encoding="utf-8")
    target = configparser.ConfigParser(interpolation=None)
    if into.exists():
        target.read(into, encoding="utf-8")
    for name in source.sections():
        target[name] = dict(source[name])
    into.parent.mkdir(parents=True, exist_ok=True)
    with into.open("w", encoding="utf-8") as handle:
        target.write(handle)
    return source.sections()
