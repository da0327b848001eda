"""Screenshots of the HTML pages of a ParkCP run folder, for review by eye.

    python benchmarks/screenshots.py results/demo-park /tmp/shots [--width 1400]

Opens every `*.html` page in the folder (summary.html, frontier.html, budget_sweep.html)
in headless Chromium (Debian's `chromium`, driven by the `playwright` package without a
browser download), at 1400 px wide by default, waits for the Plotly figures to draw, and
writes one full-page PNG per page (`<page>.png`) plus, for pages taller than 6,000 px,
numbered slices of 3,000 px (`<page>-1.png`, ...) that an image viewer shows legibly.
Prints each file written and any console error of the page.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

SLICE_PX = 3000


def chromium_path() -> str | None:
    """The system Chromium, or None when none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def shoot(folder: Path, out: Path, width: int = 1400) -> list[Path]:
    """Write the screenshots of every page in `folder` to `out`; return the files."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("error: no Chromium found (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        for html_file in sorted(folder.glob("*.html")):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error, e=errors: e.append(str(error)))
            page.goto(html_file.resolve().as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(500)  # Plotly draws after the load event
            target = out / f"{html_file.stem}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
            height = page.evaluate("document.documentElement.scrollHeight")
            if height > 2 * SLICE_PX:
                for index, top in enumerate(range(0, height, SLICE_PX), start=1):
                    part = out / f"{html_file.stem}-{index}.png"
                    clip = {"x": 0, "y": top, "width": width, "height": min(SLICE_PX, height - top)}
                    page.screenshot(path=str(part), full_page=True, clip=clip)
                    written.append(part)
            print(f"{target} ({height} px tall)")
            for message in errors:
                print(f"  console error: {message}")
            page.close()
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a run folder, e.g. results/demo-park")
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--width", type=int, default=1400, help="page width in px")
    args = parser.parse_args(argv)
    shoot(args.folder, args.out, args.width)
    return 0


if __name__ == "__main__":
    sys.exit(main())
