"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium).

A missing browser fails these tests; it never skips them silently.
"""

import os

import pytest

CHROMIUM = os.environ.get("GUIDE_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}, "locale": "vi-VN"}
