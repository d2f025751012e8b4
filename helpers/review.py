"""Step 08: take a breath. Before the organization grows, look at what is already in it.

The review reads the management account and every active member account (through the
kit's access role) in every allowed region, with read calls only, and returns *review
items*: each with its evidence (account, resource, what) and its fix. They are not
failures: the scorecard shows each check as a row, ✅ or ⚠️, beside the goals.

The checks, picked by the config's `review.checks`:
- iam: policies that grant more than least privilege, as cloudsplaining judges them
- network: security groups that open an admin port (`review.admin_ports`) or every port to
  0.0.0.0/0 or ::/0
- volumes: unencrypted EBS volumes, and regions where EBS encryption by default is off
- buckets: buckets without default encryption, or whose public access neither the bucket's
  nor the account's Block Public Access settings block
- backup: regions where an account holds data (volumes, buckets) but no AWS Backup plan
- tags: resources without the tag keys the team requires (`review.required_tags`)
- budget: accounts that no AWS Budgets budget watches

Left out: the kit's own resources (the trail's bucket, the roles the config names, anything
tagged managed-by=org-kit or kit-path: the scorecard checks them against the config) and
AWS's (service-linked and Identity Center roles, default security groups).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, cached_property
from urllib.parse import urlsplit, urlunsplit

from botocore.exceptions import ClientError
from cloudsplaining.scan.policy_document import PolicyDocument
from policy_sentry.querying.all import get_all_service_prefixes
from tqdm.auto import tqdm

from helpers import audit_trail, paths
from helpers.accounts import members, state
from helpers.kit import Kit
from helpers.tables import Table
from helpers.targets import ACCESS_ROLE, KitSession

THREADS = 8  # accounts read at once, each in a thread with its own session and clients
MET, REVIEW_ITEM = "✅", "⚠️"  # the scorecard's statuses: a review item is never a failure
SHOWN = 5  # findings a scorecard row names before "and N more"
AWS_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/")  # service-linked, Identity Center
PORT_NAMES = {22: "SSH", 3389: "RDP"}
WORLD = {"IpRanges": ("CidrIp", "0.0.0.0/0"), "Ipv6Ranges": ("CidrIpv6", "::/0")}
BUDGETS_REGION = "us-east-1"  # AWS Budgets has one endpoint
DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")
PRINCIPALS = (  # GetAccountAuthorizationDetails: (kind, list key, inline policies key)
    ("user", "UserDetailList", "UserPolicyList"),
    ("group", "GroupDetailList", "GroupPolicyList"),
    ("role", "RoleDetailList", "RolePolicyList"),
)


@dataclass(frozen=True)
class Check:
    """One check: the goal it stands for, what it says when it finds nothing, its usual fix."""

    goal: str
    clean: str
    fix: str


CHECKS = {
    "iam": Check(
        "IAM policies grant no more than their users need",
        "no policy grants every action of a service, privilege escalation, permissions "
        "management, credentials or data on any resource",
        "replace each broad policy with one naming the actions and resources it is used for",
    ),
    "network": Check(
        "No security group opens an admin port, or every port, to the world",
        "no security group rule lets 0.0.0.0/0 or ::/0 reach an admin port or every port",
        "remove the rules; reach instances through Systems Manager Session Manager, or allow "
        "only your own address range",
    ),
    "volumes": Check(
        "EBS volumes are encrypted, and so is every new one",
        "every EBS volume is encrypted and EBS encryption by default is on",
        "turn EBS encryption by default on in each account and region; replace unencrypted "
        "volumes with encrypted copies",
    ),
    "buckets": Check(
        "Buckets encrypt by default and block public access",
        "every bucket has default encryption and Block Public Access on (its own or the account's)",
        "turn S3 Block Public Access on for the whole account; set default encryption on "
        "each bucket",
    ),
    "backup": Check(
        "Data is backed up",
        "every region that holds volumes or buckets has an AWS Backup plan",
        "create an AWS Backup plan in each of those regions (or an organization backup "
        "policy from the management account)",
    ),
    "tags": Check(
        "Resources carry the team's tags",
        "every bucket, volume, instance and security group carries the required tags",
        "tag each resource (aws resourcegroupstaggingapi tag-resources)",
    ),
    "budget": Check(
        "A budget watches every account's spend",
        "a budget watches every account",
        "create a cost budget with an alert in the management account for the whole bill",
    ),
}


@dataclass(frozen=True)
class Finding:
    """One review item: which check, in which account, on what resource, what, and the fix."""

    check: str
    account: str  # "name (id)"
    resource: str
    what: str
    fix: str


@dataclass
class Review:
    """What the review read (the accounts, "name (id)") and what it found."""

    accounts: list[str]
    findings: list[Finding] = field(default_factory=list)

    def of(self, check: str) -> list[Finding]:
        return [f for f in self.findings if f.check == check]


def _some(items: list[str], shown: int = 3) -> str:
    """The first `shown` items, then how many more."""
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


def _tagged_by_kit(tags: list[dict]) -> bool:
    return any(
        (t["Key"], t["Value"]) == ("managed-by", "org-kit") or t["Key"] == "kit-path" for t in tags
    )


# --- what one account holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """A resource the review looks at: a label to show, its ARN and region, its tags."""

    label: str
    arn: str
    region: str
    tags: tuple[tuple[str, str], ...]


@dataclass
class Scope:
    """One account as the review reads it; each part is read once, when a check first asks."""

    account_id: str
    name: str
    session: KitSession
    regions: list[str]
    kit_roles: frozenset[str]
    kit_buckets: frozenset[str]

    @property
    def where(self) -> str:
        return f"{self.name} ({self.account_id})"

    def finding(self, check: str, resource: str, what: str, fix: str) -> Finding:
        return Finding(check, self.where, resource, what, fix)

    def ec2(self, region: str):
        return self.session.client("ec2", region_name=region)

    @cached_property
    def buckets(self) -> list[Resource]:
        """The account's buckets in the allowed regions, but the kit's."""
        s3 = self.session.client("s3")
        found = []
        pages = s3.get_paginator("list_buckets").paginate()
        for name in (b["Name"] for page in pages for b in page["Buckets"]):
            if name in self.kit_buckets:
                continue
            region = s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1"
            if region not in self.regions:
                continue  # out of the region guardrail's reach
            tags = _bucket_tags(self.session.client("s3", region_name=region), name)
            if not _tagged_by_kit(tags):
                found.append(
                    Resource(f"bucket {name}", f"arn:aws:s3:::{name}", region, _pairs(tags))
                )
        return found

    def _listed(self, operation: str, key: str) -> Iterator[tuple[str, dict]]:
        """(region, entry) of an EC2 listing in every allowed region."""
        for region in self.regions:
            for page in self.ec2(region).get_paginator(operation).paginate():
                for entry in page[key]:
                    yield region, entry

    def _ec2_resource(self, region: str, kind: str, label: str, tags: list[dict]) -> Resource:
        """An EC2 resource; `kind` as its ARN names it (volume/vol-...)."""
        arn = f"arn:aws:ec2:{region}:{self.account_id}:{kind}"
        return Resource(label, arn, region, _pairs(tags))

    @cached_property
    def volumes(self) -> list[tuple[Resource, dict]]:
        """(resource, DescribeVolumes entry) of every EBS volume in the allowed regions."""
        return [
            (
                self._ec2_resource(
                    region,
                    f"volume/{v['VolumeId']}",
                    _named("EBS volume", v, "VolumeId", region),
                    v.get("Tags", []),
                ),
                v,
            )
            for region, v in self._listed("describe_volumes", "Volumes")
        ]

    @cached_property
    def groups(self) -> list[tuple[Resource, dict]]:
        """(resource, DescribeSecurityGroups entry) of every security group but the defaults."""
        return [
            (
                self._ec2_resource(
                    region,
                    f"security-group/{g['GroupId']}",
                    f"security group {g['GroupName']} ({g['GroupId']}, {region})",
                    g.get("Tags", []),
                ),
                g,
            )
            for region, g in self._listed("describe_security_groups", "SecurityGroups")
            if g["GroupName"] != "default"
        ]

    @cached_property
    def instances(self) -> list[Resource]:
        """Every EC2 instance not on its way out, in the allowed regions."""
        return [
            self._ec2_resource(
                region,
                f"instance/{i['InstanceId']}",
                _named("EC2 instance", i, "InstanceId", region),
                i.get("Tags", []),
            )
            for region, reservation in self._listed("describe_instances", "Reservations")
            for i in reservation["Instances"]
            if i["State"]["Name"] not in ("shutting-down", "terminated")
        ]


def _pairs(tags: list[dict]) -> tuple[tuple[str, str], ...]:
    return tuple((t["Key"], t["Value"]) for t in tags)


def _named(kind: str, entry: dict, id_key: str, region: str) -> str:
    """A label such as "EBS volume vol-123 (web-data, eu-central-1)"."""
    name = next((t["Value"] for t in entry.get("Tags", []) if t["Key"] == "Name"), "")
    return f"{kind} {entry[id_key]} ({name + ', ' if name else ''}{region})"


def _absent(call: Callable[..., dict], code: str, **params) -> dict | None:
    """The answer of a read call, or None when AWS answers `code` (there is none)."""
    try:
        return call(**params)
    except ClientError as error:
        if error.response["Error"]["Code"] != code:
            raise
        return None


def _bucket_tags(s3, bucket: str) -> list[dict]:
    answer = _absent(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=bucket)
    return answer["TagSet"] if answer else []


# --- the checks -------------------------------------------------------------------------------


@cache
def risks(document: str) -> tuple[str, ...]:
    """What a policy document (JSON) allows beyond least privilege, in cloudsplaining's terms:
    every action of a service, and privilege escalation, permissions management, credentials
    exposure or data exfiltration on any resource."""
    policy = PolicyDocument(json.loads(document))
    services = policy.service_wildcard
    if set(get_all_service_prefixes()) <= set(services):
        return ("every action of every service, on every resource",)
    found = [f"every action of {', '.join(services)}"] if services else []
    escalations = [e["type"] for e in policy.allows_privilege_escalation]
    for label, actions in (
        ("privilege escalation", escalations),
        (
            "permissions management on any resource",
            policy.permissions_management_without_constraints,
        ),
        ("credentials exposure", policy.credentials_exposure),
        ("data exfiltration", policy.allows_data_exfiltration_actions),
    ):
        if actions:
            found.append(f"{label} ({_some(sorted(actions))})")
    return tuple(found)


IAM_FIXES = {
    "user": "people sign in through Identity Center (step 03) and tools assume roles: move "
    "whoever uses this user there and delete it; until then, give it a policy naming only "
    "the actions and resources it needs",
    "group": "give the group a policy naming only the actions and resources its members need, "
    "or better, give those people an Identity Center permission set",
    "role": "give the role a policy naming only the actions and resources it uses: IAM Access "
    "Analyzer can generate one from the role's activity in the organization trail",
}


def _authorization_details(session: KitSession) -> dict[str, list]:
    """Every user, group, role and managed policy of the account, in one paginated read."""
    pages = session.client("iam").get_paginator("get_account_authorization_details").paginate()
    merged: dict[str, list] = {}
    for page in pages:
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            merged.setdefault(key, []).extend(page.get(key, []))
    return merged


def _document(value: dict | str) -> str:
    return json.dumps(json.loads(value) if isinstance(value, str) else value, sort_keys=True)


def check_iam(scope: Scope, settings: Settings) -> Iterator[Finding]:
    details = _authorization_details(scope.session)
    managed = {
        p["Arn"]: next(v["Document"] for v in p["PolicyVersionList"] if v["IsDefaultVersion"])
        for p in details["Policies"]
    }
    for kind, key, inline in PRINCIPALS:
        for entry in details[key]:
            name = entry[f"{kind.capitalize()}Name"]
            if kind == "role" and (
                entry["Path"].startswith(AWS_ROLE_PATHS)
                or name in scope.kit_roles
                or _tagged_by_kit(entry.get("Tags", []))
            ):
                continue
            policies = [
                (f"inline policy {p['PolicyName']}", p["PolicyDocument"]) for p in entry[inline]
            ]
            for attached in entry.get("AttachedManagedPolicies", []):
                arn = attached["PolicyArn"]
                owner = "AWS managed policy" if ":aws:policy/" in arn else "managed policy"
                policies.append((f"{owner} {attached['PolicyName']}", managed[arn]))
            for label, document in policies:
                found = risks(_document(document))
                if found:
                    what = f"{label} allows " + "; ".join(found)
                    yield scope.finding("iam", f"{kind} {name}", what, IAM_FIXES[kind])


def opened(rule: dict, ports: list[int]) -> str:
    """What a rule opens, in words, if it is every port or one of the admin `ports`."""
    protocol = {"6": "tcp", "17": "udp"}.get(rule["IpProtocol"], rule["IpProtocol"])
    if protocol == "-1":
        return "every port of every protocol"
    if protocol not in ("tcp", "udp"):
        return ""
    low, high = rule.get("FromPort", 0), rule.get("ToPort", 65535)
    if low <= 0 and high >= 65535:
        return f"every {protocol} port"
    hit = [p for p in ports if low <= p <= high]
    return ", ".join(
        f"{protocol} port {p}" + (f" ({PORT_NAMES[p]})" if p in PORT_NAMES else "") for p in hit
    )


def check_network(scope: Scope, settings: Settings) -> Iterator[Finding]:
    for resource, group in scope.groups:
        for rule in group["IpPermissions"]:
            world = {
                key: [r for r in rule.get(key, []) if r.get(field) == cidr]
                for key, (field, cidr) in WORLD.items()
            }
            sources = [r[WORLD[key][0]] for key, ranges in world.items() for r in ranges]
            exposed = opened(rule, settings.admin_ports) if sources else ""
            if not exposed:
                continue
            revoke = {k: rule[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in rule}
            revoke |= {key: ranges for key, ranges in world.items() if ranges}
            fix = (
                f"aws ec2 revoke-security-group-ingress --region {resource.region} --group-id "
                f"{group['GroupId']} --ip-permissions '{json.dumps([revoke])}'; then reach the "
                "instances through Systems Manager Session Manager, or allow only your own "
                "address range"
            )
            yield scope.finding(
                "network", resource.label, f"{exposed} open to {' and '.join(sources)}", fix
            )


def check_volumes(scope: Scope, settings: Settings) -> Iterator[Finding]:
    off = [
        r
        for r in scope.regions
        if not scope.ec2(r).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    ]
    if off:
        yield scope.finding(
            "volumes",
            "EBS encryption by default",
            f"off in {', '.join(off)}: a new volume is encrypted only if whoever creates it asks",
            " ".join(f"aws ec2 enable-ebs-encryption-by-default --region {r};" for r in off)
            + " new volumes then use the aws/ebs key (or the one set with "
            "modify-ebs-default-kms-key-id)",
        )
    for resource, volume in scope.volumes:
        if not volume["Encrypted"]:
            yield scope.finding(
                "volumes",
                resource.label,
                "not encrypted: its data, and every snapshot of it, lie in the clear",
                "a volume cannot be encrypted in place: snapshot it, copy the snapshot with "
                "--encrypted, create a volume from the copy and swap it in",
            )


def s3control(session: KitSession):
    """The session's S3 Control client. S3 Control's hosts start with the account id
    (123456789012.s3-control...), which an endpoint on loopback cannot resolve: with an
    endpoint (the sandbox), its requests go to the endpoint's own host."""
    client = session.client("s3control")
    if session.endpoint_url:
        host = urlsplit(session.endpoint_url).netloc

        def to_endpoint(request, **_) -> None:
            request.url = urlunsplit(urlsplit(request.url)._replace(netloc=host))

        client.meta.events.register(
            "before-sign.s3-control", to_endpoint, unique_id="kit-s3control-endpoint"
        )
    return client


def _account_block(scope: Scope) -> dict:
    """The account's S3 Block Public Access settings ({} when it has none)."""
    answer = _absent(
        s3control(scope.session).get_public_access_block,
        "NoSuchPublicAccessBlockConfiguration",
        AccountId=scope.account_id,
    )
    return (answer or {}).get("PublicAccessBlockConfiguration", {})


def check_buckets(scope: Scope, settings: Settings) -> Iterator[Finding]:
    if not scope.buckets:
        return
    account = _account_block(scope)
    for bucket in scope.buckets:
        name = bucket.arn.rsplit(":", 1)[-1]
        s3 = scope.session.client("s3", region_name=bucket.region)
        if not _absent(
            s3.get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError", Bucket=name
        ):
            rule = '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
            yield scope.finding(
                "buckets",
                bucket.label,
                "no default encryption: each object is stored as its writer sends it",
                f"aws s3api put-bucket-encryption --bucket {name} "
                f"--server-side-encryption-configuration '{rule}' (or aws:kms with a key of "
                "yours)",
            )
        answer = _absent(
            s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=name
        )
        own = (answer or {}).get("PublicAccessBlockConfiguration", {})
        off = [key for key in audit_trail.BLOCK_ALL if not (own.get(key) or account.get(key))]
        if off:
            every = ",".join(f"{key}=true" for key in audit_trail.BLOCK_ALL)
            yield scope.finding(
                "buckets",
                bucket.label,
                f"public access not blocked: {', '.join(off)} off for the bucket and for the "
                "account",
                f"aws s3control put-public-access-block --account-id {scope.account_id} "
                f"--public-access-block-configuration {every} covers every bucket of the "
                f"account (or aws s3api put-public-access-block --bucket {name} for this one); "
                "a site that must be public belongs behind CloudFront",
            )


def check_backup(scope: Scope, settings: Settings) -> Iterator[Finding]:
    for region in scope.regions:
        volumes = sum(r.region == region for r, _ in scope.volumes)
        buckets = sum(r.region == region for r in scope.buckets)
        if not volumes + buckets:
            continue
        backup = scope.session.client("backup", region_name=region)
        pages = backup.get_paginator("list_backup_plans").paginate()
        if any(page["BackupPlansList"] for page in pages):
            continue
        yield scope.finding(
            "backup",
            f"AWS Backup in {region}",
            f"no backup plan, while the account holds {volumes} EBS volume(s) and {buckets} "
            "bucket(s) there",
            f"create a plan with a rule (schedule, retention) and a selection of these resources "
            f"(aws backup create-backup-plan, then create-backup-selection, --region {region}); "
            "across the organization, a backup policy from the management account does it for "
            "every account",
        )


def check_tags(scope: Scope, settings: Settings) -> Iterator[Finding]:
    every = [*scope.buckets, *(r for r, _ in scope.volumes), *scope.instances]
    every += [r for r, _ in scope.groups]
    for resource in every:
        present = {key.casefold() for key, _ in resource.tags}
        missing = [k for k in settings.required_tags if k.casefold() not in present]
        if missing:
            values = " ".join(f"{k}=<value>" for k in missing)
            yield scope.finding(
                "tags",
                resource.label,
                f"no {', '.join(missing)} tag",
                f"aws resourcegroupstaggingapi tag-resources --region {resource.region} "
                f"--resource-arn-list {resource.arn} --tags {values}",
            )


def budgets(session: KitSession, account_id: str) -> list[dict]:
    """The account's budgets (AWS Budgets)."""
    client = session.client("budgets", region_name=BUDGETS_REGION)
    pages = client.get_paginator("describe_budgets").paginate(AccountId=account_id)
    try:
        return [b for page in pages for b in page.get("Budgets", [])]
    except client.exceptions.NotFoundException:  # an account with no budget at all
        return []


def _linked_accounts(value) -> set[str]:
    """The LINKED_ACCOUNT values anywhere in a budget's FilterExpression."""
    if isinstance(value, list):
        return {a for item in value for a in _linked_accounts(item)}
    if not isinstance(value, dict):
        return set()
    found = set()
    dimension = value.get("Dimensions") or {}
    if dimension.get("Key") == "LINKED_ACCOUNT":
        found |= set(dimension.get("Values", []))
    for key in ("And", "Or", "Not"):
        found |= _linked_accounts(value.get(key))
    return found


def watches(budget: dict, account_id: str) -> bool:
    """Whether a budget of the management account watches `account_id`: one that filters by
    linked account watches those it names, any other the whole bill."""
    named = set(budget.get("CostFilters", {}).get("LinkedAccount", []))
    named |= _linked_accounts(budget.get("FilterExpression"))
    return not named or account_id in named


def check_budget(scope: Scope, settings: Settings) -> Iterator[Finding]:
    if any(watches(b, scope.account_id) for b in settings.organization_budgets):
        return
    if scope.account_id != settings.management_id and budgets(scope.session, scope.account_id):
        return
    yield scope.finding(
        "budget",
        "AWS Budgets",
        "no budget watches this account's spend: nobody hears of a surprise before the bill",
        f"a monthly cost budget with an email alert in the management account "
        f"(aws budgets create-budget --account-id {settings.management_id} ...) watches every "
        "account; one in this account watches its own spend",
    )


RUNS = {
    "iam": check_iam,
    "network": check_network,
    "volumes": check_volumes,
    "buckets": check_buckets,
    "backup": check_backup,
    "tags": check_tags,
    "budget": check_budget,
}


# --- the review -------------------------------------------------------------------------------


def accounts(kit: Kit) -> dict[str, str]:
    """The accounts the review reads: the management account, then every active member."""
    management = kit.config.management_account
    found = {management.id: management.name}
    for account_id, entry in sorted(members(kit).items()):
        if state(entry) == "ACTIVE":
            found.setdefault(account_id, kit.account_name(account_id, entry["Name"]))
    return found


def kit_roles(kit: Kit) -> frozenset[str]:
    """The roles the kit relies on or creates: the access role, the config's kit roles, the
    baseline's audit role and the roles of declared paths."""
    section = paths.section(kit)
    names = {ACCESS_ROLE, *(r.role for r in section.kit_roles)}
    names |= {p.provider.role for p in section.paths if p.provider.kind() == "role"}
    if section.baseline:
        names.add(section.baseline.audit_role)
    return frozenset(names)


def kit_buckets(kit: Kit) -> frozenset[str]:
    """The trail's bucket (the only bucket the kit makes against AWS)."""
    if kit.config.trail is None:
        return frozenset()
    return frozenset({audit_trail.locate(kit.planning()).bucket})


@dataclass(frozen=True)
class Settings:
    """What the checks take besides the account: the config's review section, the management
    account's id and its budgets."""

    required_tags: list[str]
    admin_ports: list[int]
    management_id: str
    organization_budgets: list[dict]


def review(kit: Kit) -> Review:
    """Read every account (read calls only) and return what the enabled checks found."""
    section, management_id = kit.config.review, kit.config.management_account.id
    watched = budgets(kit.management, management_id) if "budget" in section.checks else []
    settings = Settings(section.required_tags, section.admin_ports, management_id, watched)
    regions = list(dict.fromkeys([kit.config.home_region, *kit.config.allowed_regions]))
    roles, owned = kit_roles(kit), kit_buckets(kit)
    names = accounts(kit)

    def read(account_id: str, name: str) -> list[Finding]:
        """What the enabled checks find in one account."""
        found: list[Finding] = []
        scope = None
        for check in section.checks:
            try:
                session = kit.account(account_id)
                scope = scope or Scope(account_id, name, session, regions, roles, owned)
                found.extend(RUNS[check](scope, settings))
            except ClientError as error:
                if error.response["Error"]["Code"] not in DENIED:
                    raise
                found.append(
                    Finding(
                        check,
                        f"{name} ({account_id})",
                        "the account",
                        f"could not be read: {error.response['Error']['Message']}",
                        f"give the management account its {ACCESS_ROLE} back (step 02), with "
                        "the right to read",
                    )
                )
        return found

    result = Review([f"{name} ({i})" for i, name in names.items()])
    kit.management.client("sts")  # made once here: the threads share it
    with ThreadPoolExecutor(THREADS) as pool:
        done = pool.map(read, names, names.values())
        for found in tqdm(done, total=len(names), desc="accounts", unit="account"):
            result.findings.extend(found)
    return result


# --- showing it -------------------------------------------------------------------------------


def checks_table(kit: Kit) -> Table:
    """The checks, whether the config has them on, and what each looks for."""
    on = kit.config.review.checks
    return Table(
        ["check", "on", "looks for"],
        [[key, "yes" if key in on else "no", check.goal] for key, check in CHECKS.items()],
    )


def findings_table(result: Review) -> Table:
    return Table(
        ["check", "account", "resource", "what", "fix"],
        [[f.check, f.account, f.resource, f.what, f.fix] for f in result.findings],
    )


def rows(kit: Kit, result: Review) -> list[dict]:
    """One scorecard row per enabled check: ✅ with what it read, or ⚠️ with its findings."""
    made = []
    for key in kit.config.review.checks:
        check, found = CHECKS[key], result.of(key)
        row = {"key": f"review-{key}", "goal": f"Review: {check.goal}"}
        if not found:
            evidence = f"{check.clean}, in {len(result.accounts)} account(s)"
            made.append(row | {"status": MET, "evidence": evidence, "fix": ""})
            continue
        named = [f"{f.account}: {f.resource}: {f.what}" for f in found]
        evidence = f"{len(found)} review item(s): " + "; ".join(named[:SHOWN])
        if len(named) > SHOWN:
            evidence += f"; and {len(named) - SHOWN} more (step 08 lists them all)"
        fix = f"{check.fix} (step 08 gives each item's own fix)"
        made.append(row | {"status": REVIEW_ITEM, "evidence": evidence, "fix": fix})
    return made


def scorecard_rows(kit: Kit) -> list[dict]:
    """The review as scorecard rows, read now: each a dict with the scorecard Row's fields
    (key, goal, status, evidence, fix); the status is ✅ or ⚠️, never ❌."""
    return rows(kit, review(kit))


def summary(kit: Kit, result: Review) -> Table:
    """The rows the scorecard shows for the review."""
    return Table(
        ["check", "status", "evidence"],
        [[r["goal"], r["status"], r["evidence"]] for r in rows(kit, result)],
    )
