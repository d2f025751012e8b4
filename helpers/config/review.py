"""The review (step 08): which checks run, the tag keys every resource should carry, and the
ports no security group should open to the world."""

from typing import Annotated, Literal, get_args

from pydantic import Field

from .fields import Section, text

ReviewCheck = Literal["iam", "network", "volumes", "buckets", "backup", "tags", "budget"]
TagKey = Annotated[
    str,
    text(
        r"(?!aws:)[\w .:/=+@-]{1,128}",
        "1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws: (a tag key)",
    ),
]
Port = Annotated[int, Field(strict=True, ge=0, le=65535)]


class Review(Section):
    """Step 08's review of every account, read calls only: which checks run, the tag keys
    every resource should carry, and the ports no security group should open to the world."""

    checks: list[ReviewCheck] = list(get_args(ReviewCheck))
    required_tags: list[TagKey] = ["owner"]  # the account already says env and pays the bill
    admin_ports: list[Port] = [22, 3389]  # SSH, RDP
