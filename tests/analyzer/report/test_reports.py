"""The reports: text, Markdown, JSON and HTML carry the same content (cause, codes, evidence, steps); the HTML
report is one self-contained file whose structure holds, and which headless Chromium renders with no console
error and no network request, its timeline picture visible with the failing attempt marked and its evidence
context expanding."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import lxml.html
import pytest

from tests.helpers import ROOT, azlog

SAMPLES = ROOT / "samples" / "bundles"
BUNDLES = ["linux-fsfreeze-failed.zip", "windows-vss-failure.zip", "linux-no-internet-access-sosreport.tar.gz"]


@pytest.fixture(scope="module", params=BUNDLES)
def reports(request, tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("reports")
    bundle = SAMPLES / request.param
    out = {}
    for fmt in ("text", "markdown", "json", "html"):
        path = folder / f"report.{fmt}"
        run = azlog("analyze", bundle, "--format", fmt, "-o", path)
        assert run.returncode == 0, run.stderr
        out[fmt] = path.read_text(encoding="utf-8")
    out["doc"] = json.loads(out["json"])
    out["html_path"] = folder / "report.html"
    return out


def test_every_format_carries_the_same_finding(reports):
    top = reports["doc"]["diagnoses"][0]
    page = lxml.html.fromstring(reports["html"])
    section = page.get_element_by_id("diagnosis-1")
    assert section.get("data-cause") == top["cause"]
    for fmt in ("text", "markdown", "html"):
        text = reports[fmt]
        assert top["cause"] in text, fmt
        for code in top["error_codes"]:
            assert code in text, (fmt, code)
        for e in top["evidence"]:
            # Markdown names a sosreport's top folder once, not on every line
            shown = {e["path"], e["path"].split("/", 1)[-1]} if fmt == "markdown" else {e["path"]}
            assert any(f"{path}:{e['line'] or '-'}" in text for path in shown), (fmt, e)
    items = section.xpath(".//ol/li")
    assert [li.text_content() for li in items] == [step.replace("`", "") for step in top["remediation"]]
    assert [len(li.xpath("code")) for li in items] == [step.count("`") // 2 for step in top["remediation"]]
    markdown_steps = re.findall(r"(?m)^\d+\. (.*)$", reports["markdown"].split("### ", 3)[2])
    assert [s.replace("\\|", "|") for s in markdown_steps][:len(items)] == top["remediation"]
    for step in top["remediation"]:
        assert step in reports["text"].replace("\n      ", " ")


def test_html_structure_is_self_contained(reports):
    page = lxml.html.fromstring(reports["html"])
    csp = page.xpath('//meta[@http-equiv="Content-Security-Policy"]')
    assert csp and "default-src 'none'" in csp[0].get("content")
    assert not page.xpath('//script[@src] | //link[@href] | //img[starts-with(@src, "http")] | //iframe')
    top = reports["doc"]["diagnoses"][0]
    details = page.get_element_by_id("diagnosis-1").xpath(".//details[@class='ev']")
    assert [d.get("data-where") for d in details] == [f"{e['path']}:{e['line'] or '-'}" for e in top["evidence"]]
    lines = [e for e in top["evidence"] if e["kind"] == "line"]
    hits = page.get_element_by_id("diagnosis-1").xpath(".//pre[@class='ctx']/span[@class='hit']")
    assert len(hits) == len(lines)  # each line's context holds the line itself, marked
    assert page.xpath("//*[@id='timeline']//*[local-name()='svg']") and page.xpath("//*[@id='failed-attempt']")
    summary = page.get_element_by_id("summary").text_content()
    assert reports["doc"]["summary"]["os"] in summary
    assert {t.get("data-group") for t in page.xpath("//table[@class='facts']")} >= {"agent"}


PROBE = """<script>
window.addEventListener('load', () => {
  const d = document.querySelector('#diagnosis-1 details.ev:not(:has(.muted))') || document.querySelector('details.ev');
  const ctx = d.querySelector('pre.ctx');
  const before = ctx.checkVisibility();
  d.open = true;
  const after = ctx.checkVisibility() && ctx.getBoundingClientRect().height;
  const svg = document.querySelector('#timeline svg').getBoundingClientRect();
  const failed = document.querySelector('#failed-attempt');
  document.title = 'PROBE ' + JSON.stringify({before, after, svgHeight: svg.height, svgWidth: svg.width,
                                              failed: !!failed && failed.getBoundingClientRect().height > 0});
});
</script></body>"""


def test_html_in_headless_chromium(reports, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("Chromium is not installed here (.ci/run installs it)")
    probed = tmp_path / "probed.html"
    probed.write_text(reports["html"].replace("</body>", PROBE), encoding="utf-8")
    run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                          "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000",
                          "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Refused to" in line
               or "net::ERR" in line]
    assert not console, console
    title = lxml.html.fromstring(run.stdout).findtext(".//title")
    assert title and title.startswith("PROBE "), title
    probe = json.loads(title[len("PROBE "):])
    assert probe["before"] is False and probe["after"] > 0   # the context is hidden, then expands
    assert probe["svgHeight"] > 100 and probe["svgWidth"] > 400 and probe["failed"]
