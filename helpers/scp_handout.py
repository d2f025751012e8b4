"""The "educate your users" handout: what the applied guardrails mean for the people who
work in the member accounts, as Markdown in the run folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.guardrails import Attempt, Plan
from helpers.kit import Kit
from helpers.scp_documents import label

FILE = "guardrails-handout.md"
WHY = {
    "DenyIamUsers": "people sign in through the AWS access portal (IAM Identity Center), "
    "which hands out short-lived credentials; an IAM user's password and access keys live "
    "for ever and leak",
    "DenyLeavingTheOrganization": "an account outside the organization escapes the "
    "guardrails, the audit trail and the shared bill",
    "ProtectTheTrailBucket": "the audit trail must be trustworthy: only CloudTrail writes "
    "there, and only the kit's own role changes the bucket",
    "ProtectTheBaselineRoles": "every account needs them; StackSets deploys them and only "
    "the kit's own role may change them",
}


@dataclass(frozen=True)
class Handout:
    """The handout's Markdown and where it was written."""

    path: Path
    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def _denied(plan: Plan) -> list[str]:
    """One line per Deny statement of the applied policies, in plain words."""
    lines = []
    for scp in plan.scps:
        statements = scp.document["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            if statement["Effect"] != "Deny" or "NotAction" in statement:
                continue
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            resources = statement.get("Resource", "*")
            resources = [resources] if isinstance(resources, str) else resources
            where = "" if resources == ["*"] else f" on {', '.join(resources)}"
            sid = statement.get("Sid", "")
            why = WHY.get(sid) or scp.description
            lines.append(f"- `{'`, `'.join(actions)}`{where} ({scp.name}): {why}.")
    return lines


def render(plan: Plan, example: Attempt | None = None) -> str:
    """The handout's text."""
    intent, section = plan.intent, plan.section
    where = ", ".join(sorted({label(t) for s in plan.scps for t in s.targets}))
    lines = [
        "# Guardrails in our AWS organization: what they mean for you",
        "",
        f"Service control policies (SCPs) are attached to {where or 'nothing yet'} of "
        f"organization {plan.org_id or '(not created yet)'}: they apply to every member "
        "account below, to every person and role in it, administrators and root users "
        "included. They never grant anything; they set the most anyone may do. The "
        "management account is exempt (SCPs never apply there), which is why only a few "
        "people can sign in to it.",
        "",
        "## Where you can work",
        "",
    ]
    if intent.region_allow_list:
        regions = ", ".join(
            f"{r} (home)" if r == intent.home_region else r for r in intent.allowed_regions
        )
        lines += [
            f"Allowed regions: **{regions}**. A call to a regional service anywhere else is "
            "denied, even for administrators. Global services keep working from any region: "
            "IAM, Organizations, Route 53, CloudFront, Support, billing and a few more, which "
            "AWS serves from us-east-1, and STS, which also answers in every region. Any such "
            "list can be incomplete: if a global service you need is refused, tell us.",
        ]
        if intent.break_glass_role:
            lines += [
                "",
                f"In an emergency (an allowed region down), the role `{intent.break_glass_role}` "
                "may work in any region. It is not for everyday work; ask before you use it.",
            ]
    else:
        lines.append("Every region is allowed; no guardrail limits them.")
    lines += [
        "",
        "## What nobody in a member account can do",
        "",
        *(_denied(plan) or ["- nothing"]),
    ]
    lines += [
        "",
        "## Was it an SCP or IAM?",
        "",
        "Both answer the same way: `AccessDenied` (`AccessDeniedException` in some services, "
        "`UnauthorizedOperation` in EC2). Read the end of the message:",
        "",
        "- `... with an explicit deny in a service control policy`: a guardrail said no. "
        "No permission in your account can change that; ask us.",
        "- `... because no identity-based policy allows the <action> action`: your role "
        "lacks the permission. Ask for another permission set, or a change to yours.",
        "- `... with an explicit deny in an identity-based policy` or `... in a "
        "resource-based policy`: a Deny in your role's policy, or in the bucket's, queue's "
        "or key's own policy.",
        "- EC2 encodes the reason: `aws sts decode-authorization-message "
        "--encoded-message <the message>` decodes it (if your role may call "
        "`sts:DecodeAuthorizationMessage`).",
        "- First check the **region** your console or CLI is set to (`aws configure get "
        "region`): a wrong region is the most common guardrail denial.",
    ]
    if example is not None:
        lines += [
            "",
            f"A real example, `{example.call}` in {example.region} from account {example.account}:",
            "",
            f"> {example.message}",
        ]
    lines += [
        "",
        "## Whom to ask",
        "",
        f"Ask {section.contact}. Send the whole error message, the account, the region and "
        "the time: with them the kit's explainer (`helpers.policy.explain_access`) names the "
        "policy and the OU that said no.",
        "",
    ]
    return "\n".join(lines)


def write(kit: Kit, plan: Plan, example: Attempt | None = None) -> Handout:
    """Write the handout into the step's folder of the run."""
    path = kit.step_dir / FILE
    text = render(plan, example)
    path.write_text(text, encoding="utf-8")
    return Handout(path, text)


def show(kit: Kit, now: Plan | None, example: Attempt | None = None) -> Handout | None:
    """Write the handout for the guardrails as they stand and show it (not while planning:
    the handout describes what is applied)."""
    if now is None or not kit.apply:
        return None
    handout = write(kit, now, example)
    kit.show(f"The handout ({handout.path.name})", handout)
    return handout
