"""One headless Chromium for the browser tests of a module: the system browser (Debian's `chromium`), nothing
downloaded. Without one every test that asks for it is skipped, saying so; with JIANSUO_REQUIRE_BROWSER=1 that
is an error instead."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("JIANSUO_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and os.environ.get("JIANSUO_REQUIRE_BROWSER") == "1":
    raise RuntimeError("JIANSUO_REQUIRE_BROWSER=1 but no Chromium is installed (Debian: apt-get install chromium)")
SCREENSHOTS = Path(os.environ.get("JIANSUO_SCREENSHOTS", Path(__file__).parent / "screenshots"))
# As root and on a closed network, Chromium needs these to start and to stay quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium); set JIANSUO_CHROMIUM to use another")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
