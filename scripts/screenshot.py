"""Take screenshots of pages with Debian's Chromium: python scripts/screenshot.py URL OUT.png [width]."""

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def main():
    url, out = sys.argv[1], sys.argv[2]
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 1280
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
        page.goto(url, wait_until="networkidle")
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
