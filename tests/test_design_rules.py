"""The design rules of docs/architecture.md, executable. The import rules are import-linter
contracts in pyproject.toml (make lint runs lint-imports); the rules an import graph cannot
see are checks here. Each rule is shown to bite: a copy of the tree with one violation
planted per rule fails, naming it; the unbroken copy passes."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.kit import REPO

NOTEBOOKS = ("notebooks/*.ipynb", "exercises/source/*.ipynb", "tests/fixtures/**/*.ipynb")
# What a notebook cell may not import, as the contracts say for modules: widgets come from
# helpers.widgets, and the sandbox is known only behind the target.
FORBIDDEN_IN_NOTEBOOKS = re.compile(
    r"^\s*(import|from)\s+(ipywidgets|helpers\.sandbox)\b", re.MULTILINE
)
ASSERTING_CALLS = {"raises", "warns", "deprecated_call", "fail"}  # pytest's own checks


# The checks ------------------------------------------------------------------------------


def _compares_target_name(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]
    names = [o for o in operands if isinstance(o, ast.Attribute) and o.attr == "name"]
    of_target = any(
        isinstance(n.value, ast.Name | ast.Attribute)
        and getattr(n.value, "id", getattr(n.value, "attr", None)) == "target"
        for n in names
    )
    sandbox = any(isinstance(o, ast.Constant) and o.value == "sandbox" for o in operands)
    return of_target or (bool(names) and sandbox)


def target_name_comparisons(root: Path) -> list[str]:
    """`file:line` of every comparison of a target's name in helpers/ but targets.py."""
    found = []
    for path in sorted((root / "helpers").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name == "helpers/targets.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), name)):
            if isinstance(node, ast.Compare) and _compares_target_name(node):
                found.append(f"{name}:{node.lineno}")
    return found


def notebooks(root: Path) -> Iterator[tuple[str, dict]]:
    for pattern in NOTEBOOKS:
        for path in sorted(root.glob(pattern)):
            yield path.relative_to(root).as_posix(), json.loads(path.read_text())


def notebooks_with_outputs(root: Path) -> list[str]:
    """Committed notebooks whose code cells carry outputs or execution counts."""
    return [
        name
        for name, notebook in notebooks(root)
        if any(
            cell.get("outputs") or cell.get("execution_count") is not None
            for cell in notebook["cells"]
            if cell["cell_type"] == "code"
        )
    ]


def notebooks_importing_forbidden(root: Path) -> list[str]:
    """Notebooks a cell of which imports ipywidgets or helpers.sandbox."""
    return [
        name
        for name, notebook in notebooks(root)
        if any(
            FORBIDDEN_IN_NOTEBOOKS.search("".join(cell["source"]))
            for cell in notebook["cells"]
            if cell["cell_type"] == "code"
        )
    ]


def _called(node: ast.AST) -> Iterator[str]:
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                yield call.func.id
            elif isinstance(call.func, ast.Attribute) and call.func.attr in ASSERTING_CALLS:
                yield call.func.attr


def checking_nothing(root: Path) -> list[str]:
    """`file::test` of test functions that check nothing: no assert, no pytest.raises (or
    warns, fail), no call of a helper of the tests (their module's, or one imported from
    tests.*) that does."""
    modules = {p: ast.parse(p.read_text()) for p in sorted((root / "tests").glob("*.py"))}
    defined = {
        p.stem: {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for p, tree in modules.items()
    }
    asserting: dict[str, set[str]] = {stem: set() for stem in defined}

    def visible(path: Path, tree: ast.Module) -> dict[str, tuple[str, str]]:
        """name -> (module, function) of the helpers a test module can call."""
        names = {name: (path.stem, name) for name in defined[path.stem]}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
                stem = node.module.removeprefix("tests.")
                for alias in node.names:
                    names[alias.asname or alias.name] = (stem, alias.name)
        return names

    def checks(node: ast.AST, names: dict[str, tuple[str, str]]) -> bool:
        if any(isinstance(n, ast.Assert) for n in ast.walk(node)):
            return True
        for called in _called(node):
            if called in ASSERTING_CALLS:
                return True
            stem, name = names.get(called, ("", ""))
            if name in asserting.get(stem, ()):
                return True
        return False

    scopes = {p: visible(p, tree) for p, tree in modules.items()}
    grown = True
    while grown:  # helpers calling helpers that assert, to a fixed point
        grown = False
        for path, functions in ((p, defined[p.stem]) for p in modules):
            for name, function in functions.items():
                if name not in asserting[path.stem] and checks(function, scopes[path]):
                    asserting[path.stem].add(name)
                    grown = True

    found = []
    for path, tree in modules.items():
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        functions += [
            f
            for c in tree.body
            if isinstance(c, ast.ClassDef)
            for f in c.body
            if isinstance(f, ast.FunctionDef)
        ]
        for function in functions:
            if function.name.startswith("test_") and not checks(function, scopes[path]):
                found.append(f"{path.relative_to(root).as_posix()}::{function.name}")
    return found


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports on the tree at `root`, with its pyproject.toml, importing its packages."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


# The repository keeps the rules ----------------------------------------------------------


def test_only_the_target_module_compares_a_target_s_name() -> None:
    assert target_name_comparisons(REPO) == []


def test_committed_notebooks_have_no_outputs() -> None:
    assert list(notebooks(REPO)), "no notebooks found"
    assert notebooks_with_outputs(REPO) == []


def test_no_notebook_cell_imports_ipywidgets_or_the_sandbox() -> None:
    assert notebooks_importing_forbidden(REPO) == []


def test_every_test_asserts_something() -> None:
    assert checking_nothing(REPO) == []


# Each rule bites on a broken copy --------------------------------------------------------

# contract name (pyproject.toml) -> a module planted in the copy, and the import it makes
PLANTED = {
    "helpers never import runbook": ("helpers/planted_runbook.py", "runbook.steps"),
    "helpers.policy imports no AWS SDK but in its live-inputs module": (
        "helpers/policy/planted_sdk.py",
        "botocore",
    ),
    "helpers.policy imports nothing of helpers outside it but helpers.aws_names": (
        "helpers/policy/planted_kit.py",
        "helpers.kit",
    ),
    "only the target module, the sandbox itself and runbook know the sandbox": (
        "helpers/planted_sandbox.py",
        "helpers.sandbox",
    ),
    "ipywidgets only in helpers.widgets": ("helpers/planted_widgets.py", "ipywidgets"),
}


def _module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def copy_of_the_tree(to: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("helpers", "runbook", "tests"):
        shutil.copytree(REPO / folder, to / folder, ignore=ignore)
    for pattern in NOTEBOOKS[:2]:
        for path in REPO.glob(pattern):
            (to / path.relative_to(REPO)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, to / path.relative_to(REPO))
    shutil.copy(REPO / "pyproject.toml", to / "pyproject.toml")
    return to


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, ...]:
    """lint-imports on an unbroken copy of the tree, then on one with every violation planted."""
    clean = copy_of_the_tree(tmp_path_factory.mktemp("clean"))
    broken = copy_of_the_tree(tmp_path_factory.mktemp("broken"))
    for path, imported in PLANTED.values():
        (broken / path).write_text(f'"""A planted violation."""\n\nimport {imported}\n')
    return lint_imports(clean), lint_imports(broken)


def test_the_contracts_pass_on_the_unbroken_copy(linted) -> None:
    clean, _ = linted
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for name in PLANTED:
        assert f"{name} KEPT" in clean.stdout


@pytest.mark.parametrize("contract", PLANTED)
def test_each_contract_fails_naming_its_planted_violation(linted, contract: str) -> None:
    _, broken = linted
    path, imported = PLANTED[contract]
    assert broken.returncode != 0
    assert f"{contract} BROKEN" in broken.stdout, broken.stdout + broken.stderr
    report = broken.stdout.split(f"{contract}\n{'-' * len(contract)}", 1)[-1]
    assert f"{_module(path)} -> {imported}" in report, broken.stdout


def test_the_target_name_check_fails_on_a_planted_comparison(tmp_path: Path) -> None:
    root = copy_of_the_tree(tmp_path)
    assert target_name_comparisons(root) == target_name_comparisons(REPO)
    planted = root / "helpers" / "planted.py"
    planted.write_text('def demo(kit):\n    return kit.target.name != "sandbox"\n')
    (root / "helpers" / "other.py").write_text('def f(t):\n    return t.name == "sandbox"\n')
    assert set(target_name_comparisons(root)) - set(target_name_comparisons(REPO)) == {
        "helpers/planted.py:2",
        "helpers/other.py:2",
    }


def test_the_notebook_checks_fail_on_a_planted_output_widget_and_sandbox(tmp_path: Path) -> None:
    root = copy_of_the_tree(tmp_path)
    assert notebooks_with_outputs(root) == notebooks_importing_forbidden(root) == []
    lesson = sorted((root / "notebooks").glob("*.ipynb"))[0]
    exercise = sorted((root / "exercises" / "source").glob("*.ipynb"))[0]
    for path, line, ran in (
        (lesson, "import ipywidgets as w\n", True),
        (exercise, "from helpers.sandbox import ORIGINAL_ACCOUNT_ID\n", False),
    ):
        notebook = json.loads(path.read_text())
        cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
        cell["execution_count"] = 1 if ran else None
        cell["source"] = [line, *cell["source"]]
        path.write_text(json.dumps(notebook))
    names = [p.relative_to(root).as_posix() for p in (lesson, exercise)]
    assert notebooks_with_outputs(root) == names[:1]
    assert notebooks_importing_forbidden(root) == names


def test_the_assert_scan_finds_a_test_that_checks_nothing(tmp_path: Path) -> None:
    root = copy_of_the_tree(tmp_path)
    (root / "tests" / "test_planted.py").write_text(
        "from tests.conftest import wait_until\n\n\n"
        "def check(x):\n    assert x\n\n\n"
        "def test_nothing():\n    print('ran')\n\n\n"
        "def test_helper():\n    check(1)\n\n\n"
        "def test_imported():\n    wait_until(lambda: 1, 1, 'one')\n"
    )
    planted = set(checking_nothing(root)) - set(checking_nothing(REPO))
    assert planted == {"tests/test_planted.py::test_nothing"}
