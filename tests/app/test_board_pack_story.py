"""Issue 19 through app.py: the narrative, the lead's choices, the scoped pack and its PDF.

The board pack's ``data`` callable is run as a click would run it (the spy below), so the
tests read the bytes a user gets.
"""

import base64
import io
import os
import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.domain import Role
from qinet.errors import NotPermittedError
from qinet.io import boardpack, pdf
from qinet.queries import commentary
from tests.app.conftest import texts

pytestmark = pytest.mark.app

LEAD = "programme.lead@demo.nhs.example"
VIEWER = "estates.viewer@demo.nhs.example"
MED_LEAD = "medicine.lead@demo.nhs.example"
PACK = "overview_board_pack"


@pytest.fixture
def downloads(monkeypatch):
    """Every download button's bytes by key (the data callable run as on click)."""
    got: dict[str, bytes] = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):  # noqa: ANN001, ANN202
        if kwargs.get("key") == PACK:
            got[PACK] = data() if callable(data) else data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return got


@pytest.fixture
def writable(db_url, monkeypatch) -> str:
    """The demo data in a fresh database the app may write."""
    eng = db.make_engine(db_url)
    db.ensure_demo_data(eng, seed=20240401)
    eng.dispose()
    monkeypatch.setenv("QINET_DATABASE_URL", db_url)
    return db_url


def _narrative_items(html: str) -> list[str]:
    block = re.search(r'<section id="narrative">(.*?)</section>', html, re.S).group(1)
    return re.findall(r"<li>(.*?)</li>", block, re.S)


def test_narrative_is_first_on_the_overview_and_in_the_pack(make_app, downloads):
    at = make_app()
    assert not at.exception
    assert [h.value for h in at.subheader][0] == "This month"
    story = next(m.value for m in at.markdown if m.value.startswith("- "))
    bullets = story.split("\n")
    # a busy month shows six lines, one per page first, the rest in "N more changes"
    more = [e for e in at.expander if re.fullmatch(r"\d+ more changes? this period", e.label)]
    hidden = more[0].markdown[0].value.split("\n") if more else []
    assert len(bullets) <= 6 and (len(bullets) == 6 or not hidden)
    if hidden:
        assert more[0].label.startswith(f"{len(hidden)} more change")
    html = downloads[PACK].decode("utf-8")
    items = _narrative_items(html)
    assert len(bullets) + len(hidden) == len(items) > 0
    pages = [re.search(r"\]\(([a-z]+)", b).group(1) for b in bullets + hidden]
    assert set(pages[:6]) == set(pages)  # every page with a change is in the first lines
    bullets = bullets + hidden
    # every line links to the page with the chart (with the query string for a measure)
    assert all(re.search(r"\]\((measures|engagement|capability|timeline|projects)[?)]", b)
               for b in bullets)  # fmt: skip
    assert any("](measures?measure=" in b for b in bullets)
    # in the pack every line names the section behind it, and the narrative comes first
    assert all("(Chart: " in i for i in items)
    assert html.index('id="narrative"') < html.index('id="headlines"') < html.index('id="matrix"')


def test_section_choice_is_honoured(make_app, downloads):
    at = make_app()
    at.multiselect(key="overview_pack_sections").set_value(["narrative", "plan"]).run()
    assert not at.exception
    html = downloads[PACK].decode("utf-8")
    assert 'id="narrative"' in html and 'id="plan"' in html
    for key in ("headlines", "matrix", "signals", "reach", "engagement", "capability",
                "projects"):  # fmt: skip
        assert f'id="{key}"' not in html, key
    assert "summary matrix (" not in html  # its CSV left out with it


def _count(url: str, sql: str) -> int:
    eng = sa.create_engine(url)
    with eng.connect() as c:
        n = c.execute(sa.text(sql)).scalar_one()
    eng.dispose()
    return n


def test_lead_saves_commentary_escaped_and_audited(make_app, writable, downloads):
    at = make_app(user=LEAD)
    assert not at.exception
    words = "=HYPERLINK(\"x\") <b>Good month</b> for discharges & flow"
    at.text_area(key="overview_commentary").input(words)
    next(b for b in at.button if b.label == "Save commentary").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Commentary saved." in texts(at)
    assert _count(writable, "SELECT COUNT(*) FROM pack_commentary") == 1
    assert _count(writable, "SELECT COUNT(*) FROM import_log WHERE kind = 'pack commentary'") == 1
    # a new session (reload) prints it in the pack, escaped, with who wrote it
    again = make_app(user=LEAD)
    html = downloads[PACK].decode("utf-8")
    assert "&lt;b&gt;Good month&lt;/b&gt; for discharges &amp; flow" in html
    assert "<b>Good month</b>" not in html
    assert f"Commentary by {LEAD}" in html
    assert again.text_area(key="overview_commentary").value == words


def test_viewer_reads_but_cannot_write_commentary(make_app, writable):
    at = make_app(user=VIEWER)
    assert not at.exception
    assert not [t for t in at.text_area if t.key == "overview_commentary"]
    assert not [b for b in at.button if b.label == "Save commentary"]
    assert "Only a programme lead or an admin can write it." in texts(at)
    eng = db.make_engine(writable)
    with pytest.raises(NotPermittedError), db.session_scope(eng) as s:
        commentary.save(s, Viewer(VIEWER, Role.VIEWER), "Jul 2025 – Sep 2025", "Estates", "Hi")
    eng.dispose()
    assert _count(writable, "SELECT COUNT(*) FROM pack_commentary") == 0


def _others(url: str) -> tuple[set[str], set[str]]:
    """Project codes and measure names of directorates other than Medicine (names not in it)."""
    eng = sa.create_engine(url)
    with eng.connect() as c:
        rows = c.execute(sa.text(
            "SELECT p.code, m.name, d.name FROM project p JOIN directorate d "
            "ON d.id = p.directorate_id LEFT JOIN measure m ON m.project_id = p.id")).all()
    eng.dispose()
    mine_names = {n for _, n, d in rows if d == "Medicine"}
    codes = {c for c, _, d in rows if d != "Medicine"}
    names = {n for _, n, d in rows if d != "Medicine" and n and n not in mine_names}
    return codes, names


def _absent(text: str, codes: set[str], names: set[str]) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    found = [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?!\d)", flat)]
    return found + [n for n in names if n in flat]


HEADINGS = ["This month", "Headlines", "Summary of measures", "Measures showing signals",
            "Reach by staff group", "Plan", "Engagement", "Capability", "Project progress",
            "Data extracts"]  # fmt: skip


def test_directorate_viewer_pack_and_pdf_hold_nothing_of_other_directorates(
        make_app, downloads, demo_sqlite_url):  # fmt: skip
    at = make_app(user=MED_LEAD)
    assert not at.exception
    raw = downloads[PACK]
    html = raw.decode("utf-8")
    codes, names = _others(demo_sqlite_url)
    assert codes and names
    assert "Medicine" in html
    assert _absent(html, codes, names) == []
    # the CSV extracts are inside the HTML as base64: decode and grep them too
    for payload in re.findall(r"data:text/csv;base64,([A-Za-z0-9+/=]+)", html):
        assert _absent(base64.b64decode(payload).decode("utf-8-sig"), codes, names) == []
    if pdf.chromium_path() is None and not os.environ.get("CI"):
        pytest.skip("Chromium (Debian package chromium) is not installed; CI unset")
    from pypdf import PdfReader

    data = pdf.render(raw)
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", " ", text)
    for heading in HEADINGS:
        assert heading in flat, heading
    first = re.sub(r"\s+", " ", _narrative_items(html)[0]).split(" (Chart: ")[0]
    assert unescape(first)[:120] in flat
    assert _absent(text, codes, names) == []
    # named after the scope and period, like the HTML pack
    assert boardpack.board_pack_pdf_filename("Medicine · Last 3 months", date(2025, 9, 30)) == (
        "qinet_board-pack_medicine-last-3-months_2025-09-30.pdf")


def test_missing_chromium_is_named_and_the_html_pack_stays(make_app, monkeypatch):
    monkeypatch.delenv("QINET_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf, "CANDIDATES", ())
    at = make_app()
    assert not at.exception
    assert any("install the Debian package `chromium`" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Make the PDF"]
    assert "Board pack (HTML)" in [b.label for b in at.get("download_button")]


def test_pdf_button_makes_a_pdf_download(make_app):
    if pdf.chromium_path() is None and not os.environ.get("CI"):
        pytest.skip("Chromium (Debian package chromium) is not installed; CI unset")
    at = make_app(params={"directorate": "Medicine"})
    next(b for b in at.button if b.label == "Make the PDF").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Board pack (PDF)" in [b.label for b in at.get("download_button")]
