"""The value types every section uses: account ids, regions, names, emails (each refused
with the rule it breaks), and `Section`, the base of every part of the file."""

import difflib
import re
from typing import Annotated, Any, NoReturn

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from .catalogues import region_partitions
from .messages import shortened

ROOT = "Root"


def fail(message: str, **context: str) -> NoReturn:
    """Refuse a value with the kit's own words ({name} placeholders come from context)."""
    raise PydanticCustomError("kit", message, context)


def shown(value: Any) -> str:
    """A value as a message quotes it: its repr, shortened when it is long."""
    return shortened(repr(value))


def _region(value: str) -> str:
    if value not in region_partitions():
        guess = difflib.get_close_matches(value, region_partitions(), n=1)
        hint = f"did you mean {guess[0]}?" if guess else "expected a name such as eu-central-1"
        fail("{value} is not an AWS region; " + hint, value=shown(value))
    return value


def _account_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        example = f'"{value}"' if len(str(value)) == 12 else '"012345678901"'
        fail(
            "YAML read this id as the number {value}: quote account ids, e.g. id: "
            + example
            + " (unquoted digits become a number, which loses leading zeros or reads as octal)",
            value=str(value),
        )
    if not isinstance(value, str) or not re.fullmatch(r"\d{12}", value):
        fail(
            '{value} is not an account id; expected 12 digits in quotes, e.g. "123456789012"',
            value=shown(value),
        )
    return value


def text(pattern: str, rule: str) -> AfterValidator:
    """A validator refusing strings that do not fully match pattern, explaining the rule."""
    regex = re.compile(pattern)

    def validate(value: str) -> str:
        if not regex.fullmatch(value):
            fail("{value} breaks the rule: " + rule, value=shown(value))
        return value

    return AfterValidator(validate)


AccountId = Annotated[str, BeforeValidator(_account_id)]
Region = Annotated[str, AfterValidator(_region)]
AccountName = Annotated[
    str, text(r"[\x20-\x7e]{1,50}", "1 to 50 printable ASCII characters (AWS account names)")
]
OuName = Annotated[
    str,
    text(r"[^/]{1,128}", "1 to 128 characters without '/' (the kit writes OU paths with '/')"),
]
Email = Annotated[
    str,
    text(r"(?=.{6,64}$)[^\s@]+@[^\s@]+\.[^\s@]+", "an email address of 6 to 64 characters"),
]
Profile = Annotated[str, text(r"\S+", "an AWS CLI profile name without spaces")]
RoleName = Annotated[
    str, text(r"[\w+=,.@-]{1,64}", "1 to 64 letters, digits or +=,.@_- (IAM role names)")
]
StackSetName = Annotated[
    str, text(r"[A-Za-z][A-Za-z0-9-]{0,127}", "a letter, then letters, digits or '-'")
]


class Section(BaseModel):
    """A part of the desired-state file: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")  # S3 reserves these
BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def _bucket_name(value: str) -> str:
    """S3's naming rules for general purpose buckets."""
    rules = [
        (3 <= len(value) <= 63, "3 to 63 characters"),
        (re.fullmatch(r"[a-z0-9.-]*", value), "only lowercase letters, digits, '.' and '-'"),
        (re.fullmatch(r"[a-z0-9](.*[a-z0-9])?", value), "start and end with a letter or digit"),
        (".." not in value, "no two periods in a row"),
        (not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", value), "not an IP address"),
        (not value.startswith(BUCKET_PREFIXES), f"not starting with {', '.join(BUCKET_PREFIXES)}"),
        (not value.endswith(BUCKET_SUFFIXES), f"not ending with {', '.join(BUCKET_SUFFIXES)}"),
    ]
    broken = [rule for ok, rule in rules if not ok]
    if broken:
        fail("{value} is not a bucket name S3 accepts: " + "; ".join(broken), value=shown(value))
    return value


BucketName = Annotated[str, AfterValidator(_bucket_name)]
