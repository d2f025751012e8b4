"""The desired-state file: the example loads, and every malformed file is refused clearly."""

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from helpers.config import ConfigError, OrgConfig, load_config, parse_config
from tests.conftest import EXAMPLE, example


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    return raised.value.errors


def errors_after(change: Callable[[dict], object]) -> list[str]:
    data = example()
    change(data)
    return errors_of(yaml.safe_dump(data, sort_keys=False))


def test_example_loads() -> None:
    config = load_config(EXAMPLE)
    assert isinstance(config, OrgConfig)
    assert config.management_account.id == "123456789012"
    assert config.home_region == "eu-central-1"
    assert config.allowed_regions == ["eu-central-1", "eu-west-1"]
    assert config.ou_paths() == ["Security", "Workloads", "Workloads/Dev", "Workloads/Prod"]
    assert [a.name for a in config.created_accounts()] == ["log-archive", "dev", "prod"]
    assert [a.name for a in config.invited_accounts()] == ["original"]
    assert config.account("original").id == "444455556666"
    assert config.account("original").profile == "original-admin"
    with pytest.raises(KeyError):
        config.account("staging")


def test_ou_paths_list_parents_before_children() -> None:
    data = example()
    data["organizational_units"][0]["children"] = [{"name": "Audit"}]
    config = parse_config(yaml.safe_dump(data))
    paths = config.ou_paths()
    assert paths == ["Security", "Security/Audit", "Workloads", "Workloads/Dev", "Workloads/Prod"]


def _set(path: str, value: object) -> Callable[[dict], None]:
    """A change that sets data[a][b]... (dotted path, numbers index lists)."""

    def change(data: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            data = data[part]
        data[last] = value

    return change


def _delete(path: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            data = data[part]
        del data[last]

    return change


MALFORMED = [
    ("unknown top-level key", _set("colour", "blue"), "colour", "not a known key"),
    ("unknown account key", _set("accounts.1.owner", "me"), "accounts[1].owner", "expected"),
    (
        "management id not digits",
        _set("management_account.id", "12345"),
        "management_account.id",
        "12 digits",
    ),
    ("int account id", _set("accounts.3.id", 444455556666), "accounts[3].id", "quote"),
    ("bad email", _set("accounts.2.email", "prod-at-example.com"), "accounts[2].email", "email"),
    (
        "home region not allowed",
        _set("home_region", "us-east-1"),
        "home_region",
        "not in allowed_regions",
    ),
    (
        "unknown region",
        _set("allowed_regions", ["eu-central-1", "eu-centrl-2"]),
        "allowed_regions[1]",
        "not an AWS region",
    ),
    (
        "duplicate region",
        _set("allowed_regions", ["eu-central-1", "eu-central-1"]),
        "allowed_regions[1]",
        "already used",
    ),
    ("no regions", _set("allowed_regions", []), "allowed_regions", "at least 1"),
    (
        "mixed partitions",
        _set("allowed_regions", ["eu-central-1", "cn-north-1"]),
        "allowed_regions",
        "partitions",
    ),
    (
        "missing OU path",
        _set("accounts.1.ou", "Workloads/Staging"),
        "accounts[1].ou",
        "not an OU path",
    ),
    (
        "duplicate account name",
        _set("accounts.2.name", "dev"),
        "accounts[2].name",
        "already used by accounts[1].name",
    ),
    (
        "duplicate email ignoring case",
        _set("accounts.2.email", "DEV@example.com"),
        "accounts[2].email",
        "already used",
    ),
    (
        "named like management",
        _set("accounts.0.name", "management"),
        "accounts[0].name",
        "management_account.name",
    ),
    (
        "management email reused",
        _set("accounts.0.email", "management@example.com"),
        "accounts[0].email",
        "already used",
    ),
    ("invited without id", _delete("accounts.3.id"), "accounts[3].id", "invited"),
    ("created with id", _set("accounts.1.id", "111122223333"), "accounts[1].id", "AWS assigns"),
    (
        "invited is management",
        _set("accounts.3.id", "123456789012"),
        "accounts[3].id",
        "management_account.id",
    ),
    (
        "profile on created account",
        _set("accounts.1.profile", "dev-admin"),
        "accounts[1].profile",
        "only for invited",
    ),
    ("account name too long", _set("accounts.1.name", "d" * 51), "accounts[1].name", "50"),
    (
        "OU name with slash",
        _set("organizational_units.0.name", "Sec/urity"),
        "organizational_units[0].name",
        "'/'",
    ),
    (
        "duplicate sibling OU",
        _set("organizational_units.1.children.1.name", "dev"),
        "organizational_units[1].children[1].name",
        "siblings",
    ),
    (
        "OU named Root",
        _set("organizational_units.0.name", "Root"),
        "organizational_units[0].name",
        "root",
    ),
    ("missing email", _delete("accounts.0.email"), "accounts[0].email", "missing"),
    ("invite not a boolean", _set("accounts.3.invite", "perhaps"), "accounts[3].invite", "boolean"),
    ("accounts not a list", _set("accounts", {"name": "dev"}), "accounts", "list"),
    (
        "OU children key misspelt",
        _set("organizational_units.1.childs", []),
        "organizational_units[1].childs",
        "children",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "word"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_file_names_field_and_reason(
    change: Callable[[dict], None], path: str, word: str
) -> None:
    errors = errors_after(change)
    assert any(e.startswith(f"{path}: ") and word in e for e in errors), errors


def test_too_deep_ou_tree() -> None:
    def nest(data: dict) -> None:
        ou = data["organizational_units"][0]
        for level in range(5):
            ou["children"] = [{"name": f"L{level}"}]
            ou = ou["children"][0]

    errors = errors_after(nest)
    assert errors == [
        "organizational_units[0]" + ".children[0]" * 5 + ": "
        "is nested 6 levels deep; AWS allows 5 below the Root"
    ]


def test_every_problem_is_reported_at_once() -> None:
    def break_many(data: dict) -> None:
        data["management_account"]["id"] = 123456789012
        data["home_region"] = "eu-west-3"
        data["accounts"][0]["email"] = "not-an-address"
        data["accounts"][1]["ou"] = "Nowhere"
        data["accounts"][2]["name"] = "dev"
        data["surprise"] = True

    paths = [e.split(": ")[0] for e in errors_after(break_many)]
    assert sorted(paths) == sorted(
        [
            "management_account.id",
            "home_region",
            "accounts[0].email",
            "accounts[1].ou",
            "accounts[2].name",
            "surprise",
        ]
    )


def test_str_lists_every_error() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config("home_region: mars-1\nallowed_regions: [mars-1]\n", source="org.yaml")
    text = str(raised.value)
    assert text.startswith("org.yaml: 3 problem(s)")
    for error in raised.value.errors:
        assert error in text


def test_int_account_id_gives_quoting_advice() -> None:
    (error,) = errors_after(_set("management_account.id", 123456789012))
    assert error.startswith("management_account.id: ")
    assert 'id: "123456789012"' in error
    assert "quote" in error


def test_yaml_syntax_error_names_the_line() -> None:
    text = EXAMPLE.read_text().replace("  - name: dev\n", "  - name: dev\n   email: [\n")
    line = text.splitlines().index("   email: [") + 1
    (error,) = errors_of(text)
    assert error.startswith("(file): line ")
    assert "YAML syntax error" in error
    assert f"line {line}" in error or f"line {line + 1}" in error


def test_duplicate_yaml_key_is_refused_with_its_line() -> None:
    text = EXAMPLE.read_text().replace(
        "email: dev@example.com\n", "email: dev@example.com\n    email: dev2@example.com\n"
    )
    line = text.splitlines().index("    email: dev2@example.com") + 1
    assert errors_of(text) == [
        f"(file): line {line}: key 'email' appears twice in the same mapping; write it once"
    ]


def test_top_level_must_be_a_mapping() -> None:
    (error,) = errors_of("- management_account\n")
    assert error.startswith("(top level): expected a mapping")


def test_empty_file_lists_the_required_sections() -> None:
    paths = [e.split(": ")[0] for e in errors_of("")]
    assert paths == ["management_account", "home_region", "allowed_regions"]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "missing.yaml")
    assert raised.value.errors[0].startswith("(file): cannot read it")


def test_bad_config_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(EXAMPLE.read_text().replace('"444455556666"', "444455556666"))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.source == str(path)
    assert raised.value.errors[0].startswith("accounts[3].id: ")


MEMBERS = "log-archive, dev, prod, original"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            _set("identity_center.retire_iam_users.0.account", "shop"),
            "identity_center.retire_iam_users[0].account: 'shop' is not an account in "
            f"accounts; expected one of: {MEMBERS}",
        ),
        (
            _set("identity_center.assignments.2.accounts", ["managment"]),
            "identity_center.assignments[2].accounts[0]: 'managment' is not an account in "
            f"accounts; expected one of: {MEMBERS}, management",
        ),
        (
            _set("cross_account.kit_roles.0.assumed_from", "root"),
            "cross_account.kit_roles[0].assumed_from: 'root' is not an account in accounts; "
            f"expected one of: {MEMBERS}, management",
        ),
        (
            _set("governance.config.ous", ["Workload"]),
            "governance.config.ous[0]: 'Workload' is not an OU path; expected one of: Root, "
            "Security, Workloads, Workloads/Dev, Workloads/Prod",
        ),
    ],
    ids=["retired user", "assignment", "kit role", "OU"],
)
def test_every_reference_says_what_it_expects(change: Callable[[dict], None], error: str) -> None:
    assert errors_after(change) == [error]


def test_references_wait_until_the_section_they_name_is_valid() -> None:
    """A broken account is reported once, not again at every reference to the accounts."""

    def break_accounts(data: dict) -> None:
        data["accounts"][2]["email"] = "prod-at-example.com"
        data["trail"]["log_archive_account"] = "logs"
        data["identity_center"]["retire_iam_users"][0]["account"] = "shop"

    assert [e.split(": ")[0] for e in errors_after(break_accounts)] == ["accounts[2].email"]


# Files that crashed the loader (a traceback, a RecursionError) or made it read without end:
# each gets the usual ConfigError, naming the place where it can.

ALIAS_BOMB = "x-lol: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x-{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
UNREADABLE_TEXT = [
    ("NUL byte", "home_region: eu\0-central-1\n", "(file): line 1, column 16: the char"),
    ("100,000-deep list", "x: " + "[" * 100_000 + "]" * 100_000, "(file): line 1: lists and "),
    ("deep mapping", "x:\n" + "".join(f"{' ' * i}k:\n" for i in range(1, 60)),
     "(file): line 50: lists and mappings nest more than 50 levels deep"),
    ("100,000-deep flow mapping", "x: " + "{k: " * 100_000 + "}" * 100_000, "(file): line 1: "),
    ("alias bomb", ALIAS_BOMB, "(file): line 6: the file holds more than 100,000 values"),
    ("very long value", f"home_region: {'x' * 20_000}\n", "(file): line 1: a value of 20,000"),
    ("list as a key", "? [a]\n: 1\n", "(file): line 1, column 3: YAML syntax error: found unhas"),
    ("5,000-digit number", f"costs: {{months: {'9' * 5000}}}\n", "(file): line 1, column 17: "),
    ("no such date", "home_region: 2024-13-45\n", "(file): line 1, column 14: YAML syntax "
     "error: cannot read 2024-13-45 (month must be in 1..12)"),
    ("not a number", "costs: {months: !!int many}\n", "(file): line 1, column 17: YAML syn"),
    ("two documents", "home_region: eu-west-1\n---\nhome_region: eu-west-2\n",
     "(file): line 2, column 1: YAML syntax error: but found another document"),
    ("a number at the top", "42\n", "(top level): expected a mapping with the sections "),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "start"), [c[1:] for c in UNREADABLE_TEXT], ids=[c[0] for c in UNREADABLE_TEXT]
)
def test_unreadable_yaml_is_refused_with_its_place(text: str, start: str) -> None:
    (error,) = errors_of(text)
    assert error.startswith(start), error


def test_a_long_value_is_shortened_in_messages() -> None:
    (error,) = errors_after(_set("accounts.1.email", "x" * 9000))
    assert error.startswith("accounts[1].email: 'xxxx")
    assert "... (9,002 characters) breaks the rule: an email address" in error
    assert len(error) < 300


def _unreadable(path: Path) -> None:
    path.write_text(EXAMPLE.read_text())
    path.chmod(0)


UNREADABLE_FILES = [
    pytest.param(lambda path: path.mkdir(), "(file): cannot read it ([Errno 21] Is a directory",
                 id="a directory"),
    pytest.param(lambda path: path.write_bytes(b"# caf\xe9\nhome_region: eu-west-1\n"),
                 "(file): cannot read it as UTF-8 text: line 1 holds the byte 0xe9; save the "
                 "file as UTF-8", id="not UTF-8"),
    pytest.param(lambda path: path.write_text("# padding\n" * 200_000),
                 "(file): is larger than 1,000,000 bytes", id="over a megabyte"),
    pytest.param(lambda path: path.write_bytes(bytes(4096)),
                 "(file): line 1, column 1: the character #x0000", id="binary"),
    pytest.param(_unreadable, "(file): cannot read it ([Errno 13] Permission denied",
                 id="no permission",
                 marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")),
]  # fmt: skip


@pytest.mark.parametrize(("make", "start"), UNREADABLE_FILES)
def test_an_unreadable_file_is_refused(tmp_path: Path, make, start: str) -> None:
    path = tmp_path / "org.yaml"
    make(path)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    (error,) = raised.value.errors
    assert error.startswith(start), error


def test_the_runbook_command_refuses_them_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("home_region: eu\0-central-1\n")
    command = [sys.executable, "-m", "runbook", "plan", "--config", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {path}: 1 problem(s)"), done.stderr
    assert "Traceback" not in done.stderr


# The notebook each section's comment points to (the comment above allowed_regions names
# the guardrail that enforces them).
STEP_OF = {
    "allowed_regions": "guardrails",
    "identity_center": "identity_center",
    "cross_account": "access_between_accounts",
    "trail": "audit_trail",
    "guardrails": "guardrails",
    "governance": "governance_and_costs",
    "costs": "governance_and_costs",
}


def test_the_examples_comments_name_the_steps_as_numbered() -> None:
    notebooks = EXAMPLE.parent.parent / "notebooks"
    number = {path.stem[3:]: path.stem[:2] for path in notebooks.glob("[0-9][0-9]_*.ipynb")}
    named: dict[str, list[str]] = {}
    comment: list[str] = []
    for line in EXAMPLE.read_text().splitlines():
        if line.startswith("#"):
            comment.append(line)
            continue
        key = re.match(r"([a-z_]+):", line)
        if key and key[1] in STEP_OF:
            named[key[1]] = re.findall(r"\bsteps? (\d\d)\b", " ".join(comment))
        comment = []
    assert named.keys() == STEP_OF.keys()
    assert named == {key: [number[step]] for key, step in STEP_OF.items()}
