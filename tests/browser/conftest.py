"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium).

A missing browser fails these tests; it never skips them silently.
"""

import os
from pathlib import Path

import pypdfium2
import pytest
from playwright.sync_api import Page

from guide import create_app

from ..conftest import LiveServer, record_details

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


def print_to_pdf(page: Page, path) -> pypdfium2.PdfDocument:
    """The page printed on A4, backgrounds included, as Chromium's print dialog would."""
    page.pdf(path=str(path), format="A4", print_background=True)
    return pypdfium2.PdfDocument(str(path))


def serve_with_offices(folder: Path, offices: dict, public_url: str) -> LiveServer:
    """The shipped content, served with GUIDE_PUBLIC_URL set, on a database of its own in `folder`
    where `offices` ({slug: Details fields}) are entered as the communes' staff would."""
    app = create_app({"PUBLIC_URL": public_url, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"})
    for slug, given in offices.items():
        record_details(app, slug, **given)
    return LiveServer(app)
