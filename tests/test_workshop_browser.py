"""The workshop in a real browser: headless Chromium drives JupyterLab from `make lab`.

Needs Debian's Chromium (`apt-get install chromium`) and Playwright (the dev extra).
Without them the test is skipped, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from helpers import organization
from helpers.kit import REPO, open_step
from helpers.sandbox import ORIGINAL_ACCOUNT_ID
from tests.conftest import kit_json, wait_until
from tests.lab_server import TOKEN

CHROMIUM = "/usr/bin/chromium"  # Debian's wrapper script
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-output"
MINUTE = 60_000  # Playwright counts milliseconds


def _browser_or_skip() -> None:
    missing = [
        what
        for what, there in (
            (f"Chromium at {CHROMIUM}", Path(CHROMIUM).exists()),
            ("Playwright", importlib.util.find_spec("playwright") is not None),
        )
        if not there
    ]
    if not missing:
        return
    message = (
        f"{' and '.join(missing)} missing: `apt-get install -y chromium` and "
        "`pip install -e '.[dev]'` to run the workshop's browser test"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser test: {message}")
    pytest.skip(message)


def _organization_exists(sandbox_url: str, run_dir: Path) -> None:
    """Step 01, as the runbook would have done it before the workshop reaches step 02."""
    config = "../runbook/org.example.yaml"
    kit = open_step("01_organization", config, endpoint_url=sandbox_url, run_dir=str(run_dir))
    organization.ensure_organization(kit)


def test_try_as_in_step_02_shows_an_explained_denial(lab, tmp_path):
    _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    kit_json(f"{lab.sandbox_url}/_kit/settings", {"create_account_seconds": 0.3})
    _organization_exists(lab.sandbox_url, tmp_path)
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            outside = []

            def loopback_only(route) -> None:
                if route.request.url.startswith("http://127.0.0.1:"):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", loopback_only)
            page.goto(f"{lab.url}/lab/tree/notebooks/02_accounts_and_ous.ipynb?token={TOKEN}")
            status = page.locator("#jp-main-statusbar")
            expect(status).to_contain_text("(ipykernel) | Idle", timeout=MINUTE)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
            page.locator('li[data-command="runmenu:run-all"]').click()

            # The organization tree at the top, drawn as SVG inside the page.
            tree = page.locator(".jp-OutputArea-output .widget-html svg", has_text="Workloads")
            expect(tree.first).to_be_visible(timeout=MINUTE)
            # The try-as widget: the original account, as its dev-app role.
            selects = page.locator(".jp-OutputArea-output .widget-dropdown select")
            selects.nth(0).select_option(label=f"acme-original ({ORIGINAL_ACCOUNT_ID})")
            selects.nth(1).select_option(label="role dev-app", timeout=MINUTE)
            page.locator(".jp-OutputArea-output .widget-button", has_text="Run it for real").click()

            result = page.locator(".jp-OutputArea-output .widget-output", has_text="Denied")
            expect(result).to_contain_text("sts:AssumeRole", timeout=MINUTE)
            expect(result).to_contain_text("trust policy of role dev-app")
            result.scroll_into_view_if_needed()
            page.screenshot(path=SCREENSHOTS / "workshop-try-as.png")
            assert outside == []
            # kit.finish() writes into the lab's own runs/lab (a copy), not the repository's
            step = lab.repo / "runs" / "lab" / "02_accounts_and_ous" / "step.json"
            wait_until(step.exists, 60, f"{step} to be written")
        finally:
            browser.close()
