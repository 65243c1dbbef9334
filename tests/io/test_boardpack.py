"""The board pack: one well-formed, self-contained, escaped HTML file with every section."""

import base64
import csv
import io
import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest

from qinet.charts import icons
from qinet.domain import AssuranceState, VariationState
from qinet.io import boardpack as bp

pytestmark = pytest.mark.unit

HOSTILE = '<script>alert("x")</script>=HYPERLINK("http://evil.example","x")'
VOID = {"meta", "br", "img", "input", "link", "hr", "use", "path", "circle", "line", "polyline",
        "rect", "stop"}
ICONS = bp.Icons(
    variation_svg={s.value: icons.variation_svg(s) for s in VariationState},
    variation_label={s.value: icons.variation_label(s) for s in VariationState},
    assurance_svg={s.value: icons.assurance_svg(s) for s in AssuranceState},
    assurance_label={s.value: icons.assurance_label(s) for s in AssuranceState},
)


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.urls, self.ids, self.text = [], [], [], set(), []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action") and value:
                self.urls.append(value)
            if name == "id":
                self.ids.add(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] not in ("script", "style"):
            self.text.append(data)


def _pack(**over) -> bp.BoardPack:
    matrix = pd.DataFrame({
        "group": ["Prog A", "Prog A", "Prog B"],
        "project": [HOSTILE, "Falls", "Flow"],
        "measure": ["Falls per 1,000 bed days", HOSTILE, "Discharges before noon (%)"],
        "latest": ["4.2", "12", "31.0%"],
        "target": ["3", "", "40.0%"],
        "variation": ["improvement_low", "concern_high", "common_cause"],
        "assurance": ["pass", "no_target", "inconsistent"],
        "signal": ["6 points in a row below the mean (2025-01 to 2025-06)", "", ""],
        "signal_date": [date(2025, 6, 1), None, None],
    })
    chart = bp.ChartBlock(HOSTILE, '<svg xmlns="http://www.w3.org/2000/svg" width="10" '
                          'height="10"><rect width="10" height="10"/></svg>', alt=HOSTILE)
    values = dict(
        filters=f"Medicine · {HOSTILE}", description=f"Medicine {HOSTILE}", as_of=date(2025, 9, 30),
        made_on=date(2025, 10, 2), synthetic=True,
        tiles=[bp.Tile("Active projects", "12", "+3", "Projects under way"),
               bp.Tile(HOSTILE, HOSTILE, HOSTILE, HOSTILE)],
        comparison="vs Apr 2023 – Mar 2024", matrix=matrix, group_by="Programme", icons=ICONS,
        signal_charts=[chart], signal_note="1 measure shows a signal.",
        reach=pd.DataFrame({"staff_group": ["Estates & Ancillary", HOSTILE],
                            "engaged": ["suppressed", "40"], "headcount": ["300", "400"],
                            "rate": ["", "10.0%"]}),
        reach_chart=chart, under_represented=["Estates & Ancillary", HOSTILE],
        reach_note="Suppressed below 11.",
        plan_due=pd.DataFrame({"programme": ["Prog A"], "title": [HOSTILE],
                               "forecast_date": [date(2025, 10, 10)]}),
        plan_late=pd.DataFrame(),
        extracts={"summary matrix": matrix, "milestones due": pd.DataFrame({"title": [HOSTILE]})},
        script='window.qinetLoaded = "</script>";',
    )
    values.update(over)
    return bp.BoardPack(**values)


def test_pack_is_well_formed_and_has_every_section():
    html = bp.render_html(_pack())
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert html.startswith("<!DOCTYPE html>")
    assert checker.errors == [] and checker.stack == []
    assert {"headlines", "matrix", "signals", "reach", "plan", "extracts"} <= checker.ids
    text = " ".join(checker.text)
    for words in ("Synthetic demo data", "30 September 2025", "Summary of measures",
                  "Measures showing signals", "Reach by staff group", "Plan",
                  "Under-represented staff groups", "Late milestones", "No milestones are late"):
        assert words in text, words
    assert "@page { size: A4; margin: 12mm; }" in html
    assert "break-before: page" in html
    # icons: each state's artwork once as a symbol, referenced per row, with its words
    assert html.count('<symbol id="v-improvement_low"') == 1
    assert html.count('href="#v-improvement_low"') == 1
    assert icons.variation_label("improvement_low") in text
    assert icons.assurance_label("pass") in text


def test_pack_is_self_contained():
    html = bp.render_html(_pack())
    checker = _Checker()
    checker.feed(html)
    remote = [u for u in checker.urls if re.match(r"\s*(https?:)?//", u, re.I)]
    assert remote == []
    assert all(u.startswith(("#", "data:")) for u in checker.urls)
    assert "<link" not in html and "@import" not in html
    assert 'src="http' not in html
    # the inlined script cannot close its own element early
    assert 'window.qinetLoaded = "<\\/script>";' in html


def test_every_piece_of_data_text_is_escaped():
    html = bp.render_html(_pack())
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    checker = _Checker()
    checker.feed(html)
    assert [t for t in checker.tags if t == "script"] == ["script"]  # only the inlined bundle


def test_csv_extracts_are_embedded_and_formula_safe():
    html = bp.render_html(_pack())
    links = re.findall(r'<a download="([^"]+)" href="data:text/csv;base64,([^"]+)"', html)
    assert [name for name, _ in links] == [
        "qinet_summary-matrix_medicine-script-alert-x-script-hyperlink-http-evil-example-x_"
        "2025-09-30.csv",
        "qinet_milestones-due_medicine-script-alert-x-script-hyperlink-http-evil-example-x_"
        "2025-09-30.csv",
    ]
    raw = base64.b64decode(links[1][1])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["title"] == HOSTILE  # starts with "<": not a formula trigger
    formula = bp.render_html(_pack(extracts={"x": pd.DataFrame({"title": ["=HYPERLINK(1)"]})}))
    payload = re.search(r'href="data:text/csv;base64,([^"]+)"', formula).group(1)
    assert "'=HYPERLINK(1)" in base64.b64decode(payload).decode("utf-8-sig")


def test_not_synthetic_and_empty_sections_say_so():
    html = bp.render_html(_pack(synthetic=False, matrix=pd.DataFrame(), signal_charts=[],
                                reach_chart=None, under_represented=[], script=""))
    assert "Synthetic demo data" not in html
    assert "No measures match these filters." in html
    assert "No measure shows a signal" in html
    assert "<script" not in html


def test_file_name_names_filters_and_date():
    assert bp.board_pack_filename("Medicine · FY 2024/25", date(2025, 9, 30)) == (
        "qinet_board-pack_medicine-fy-2024-25_2025-09-30.html"
    )


def test_parts_from_other_pages_are_rendered_and_escaped():
    section = bp.PackSection(
        heading=f"Capability {HOSTILE}", sentences=(f"Mean rose {HOSTILE}",),
        table=pd.DataFrame({"Score": [HOSTILE], "Pre": ["3.10 (n 40)"]}),
        chart=bp.ChartBlock("Paired change", "<div>chart</div>", "alt words", heading=False),
        notes=("Groups under 11 hidden",),
    )  # fmt: skip
    html = bp.render_html(_pack(parts=[bp.PackPart("capability", "Capability", [section])]))
    assert "<script>alert" not in html
    assert html.index('id="plan"') < html.index('id="capability"')
    assert html.index("Capability &lt;script&gt;") < html.index('id="extracts"')
    assert "3.10 (n 40)" in html and "alt words" in html and "Groups under 11 hidden" in html
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []  # still well formed
