"""report.html opened in a real browser (Debian's chromium, headless): the page renders (the
screenshot is not blank and shows the figures), every image loads and nothing is written to
the console. Skipped when /usr/bin/chromium is not installed (CI: apt-get install chromium)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from test_plots_fixtures import write_inventory, write_manifest, write_pathway

from carbon.report import build_report

CHROMIUM = os.environ.get("CARBON_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]
#: Appended to a copy of the report (the report itself has no script): after the page has
#: loaded, writes "images:broken" into an attribute that --dump-dom prints.
PROBE = """<script>window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
  document.body.setAttribute("data-probe", imgs.length + ":" + broken);
});</script>"""

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"{CHROMIUM} not installed (apt-get install chromium) - browser check skipped"
)


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "HOME": str(tmp)},
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run = tmp_path_factory.mktemp("browser") / "run"
    write_manifest(run, "browser")
    write_inventory(run)
    write_pathway(run)
    return build_report(run)


def test_report_renders_in_chromium(report, tmp_path):
    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,3000", report.html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    ink = (pixels.min(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert ink > 0.03, f"screenshot looks blank ({ink:.1%} non-white pixels)"
    colour = (pixels.max(axis=2) - pixels.min(axis=2) > 0.25).mean()  # saturated pixels: the figures
    assert colour > 0.01, f"no figure visible in the screenshot ({colour:.1%} coloured pixels)"
    console = [line for line in done.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    assert not console, "console messages:\n" + "\n".join(console)


def test_every_image_loads_and_console_is_clean(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.html.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = chromium(tmp_path, "--dump-dom", probe.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-probe="(\d+):(\d+)"', done.stdout)
    assert found, "the page did not finish loading"
    total, broken = map(int, found.groups())
    assert total == report.figures == 6 and broken == 0
    console = [line for line in done.stderr.splitlines() if re.search(r":CONSOLE[:(]", line)]
    assert not console, "console messages:\n" + "\n".join(console)


def test_a_broken_image_is_caught(report, tmp_path):
    """The check itself works: a report with a corrupt image fails it."""
    text = report.html.read_text(encoding="utf-8")
    bad = re.sub(
        r'src="data:image/png;base64,[^"]{20}', 'src="data:image/png;base64,AAAAAAAAAAAAAAAAAAAA', text, count=1
    )
    probe = tmp_path / "bad.html"
    probe.write_text(bad.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = chromium(tmp_path, "--dump-dom", probe.as_uri())
    total, broken = map(int, re.search(r'data-probe="(\d+):(\d+)"', done.stdout).groups())
    assert (total, broken) == (report.figures, 1)
