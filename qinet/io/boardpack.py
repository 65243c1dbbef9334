"""The steering-group board pack: one self-contained HTML file that opens offline.

:func:`render_html` turns a :class:`BoardPack` into a single HTML document with

* inline CSS only, including print CSS for A4 (``@page { size: A4; margin: 12mm }``)
  and a page break before each section, so "Print → Save as PDF" gives clean pages;
* the filter description, the data's reference date and the date the pack was made, and
  "Synthetic demo data" when it is;
* the headline tiles, the summary matrix with the Making Data Count icons (each icon
  defined once as an inline SVG ``<symbol>`` and reused, with its words alongside, so
  the state is never told by colour alone), the charts of the measures showing signals,
  reach by staff group and the plan;
* **the CSV extracts of every table embedded as ``data:`` URI download links** (so the
  pack stays one file that can be attached to board papers; each CSV is produced by
  :func:`qinet.io.export.to_csv_bytes`, formula-safe and ``utf-8-sig``).

Charts arrive as trusted HTML fragments (Plotly ``<div>``s, or SVG) together with the
script that draws them (the Plotly.js bundle, inlined once): this module imports neither
Plotly nor the chart modules. Every piece of data-derived text is escaped with
``html.escape``; nothing in the document loads from the network.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

import pandas as pd

from qinet.io.export import extract_filename, to_csv_bytes

PACK_TITLE = "Steering group board pack"


@dataclass(frozen=True)
class Tile:
    """One headline figure.

    Attributes:
        label: What is counted.
        value: The figure as shown.
        change: Change since the comparison window, as shown ("" when none).
        note: One line saying what the figure means.
    """

    label: str
    value: str
    change: str = ""
    note: str = ""


@dataclass(frozen=True)
class ChartBlock:
    """A chart for the pack.

    Attributes:
        title: Heading above the chart.
        html: A trusted fragment that draws it (Plotly ``<div>`` or ``<svg>``).
        alt: The chart's description in words (printed under it).
        heading: Print ``title`` above the chart (off when the chart has its own title).
    """

    title: str
    html: str
    alt: str = ""
    heading: bool = True


@dataclass(frozen=True)
class PackSection:
    """One titled block a page's view model hands to the pack unchanged.

    Attributes:
        heading: Sub-heading.
        sentences: Plain-English statements printed above it (escaped).
        table: Display-ready table, or None.
        chart: The chart, or None.
        notes: Small print under the table.
        empty: What to print when the table has no rows.
    """

    heading: str
    sentences: Sequence[str] = ()
    table: pd.DataFrame | None = None
    chart: ChartBlock | None = None
    notes: Sequence[str] = ()
    empty: str = "None."


@dataclass(frozen=True)
class PackPart:
    """A page's part of the pack (Engagement, Capability, Projects…): its sections in order.

    Attributes:
        key: Anchor id in the document, e.g. ``engagement``.
        title: Part heading.
        sections: The page's sections.
    """

    key: str
    title: str
    sections: Sequence[PackSection] = ()


@dataclass(frozen=True)
class Icons:
    """The icon artwork and words for each state value (from ``qinet.charts.icons``)."""

    variation_svg: Mapping[str, str]
    variation_label: Mapping[str, str]
    assurance_svg: Mapping[str, str]
    assurance_label: Mapping[str, str]


@dataclass(frozen=True)
class BoardPack:
    """Everything the pack shows, already scoped, filtered and suppressed.

    Attributes:
        filters: ``Filters.describe_with_dates`` text.
        description: ``Filters.describe`` text (names the file).
        as_of: The data's reference date.
        made_on: The date the pack was produced.
        synthetic: The database holds synthetic demo data.
        tiles: Headline tiles.
        comparison: How changes are described ("vs …").
        matrix: One row per measure with ``group``, ``project``, ``measure``,
            ``latest``, ``target``, ``variation`` / ``assurance`` (state values),
            ``signal`` and ``signal_date``.
        group_by: Name of the grouping (``"Programme"`` or ``"Directorate"``).
        icons: Icon artwork and words.
        signal_charts: Charts of the measures showing signals.
        signal_note: A line about which signal charts are included.
        reach: Reach table (display columns).
        reach_chart: The reach chart, or None.
        under_represented: Names of under-represented staff groups.
        reach_note: A line on how reach is defined and suppressed.
        plan_due: Milestones due soon (display columns).
        plan_late: Late milestones (display columns).
        plan_sections: The Timeline view's sections; when given they replace
            ``plan_due`` / ``plan_late`` in the Plan part.
        parts: Further parts from other pages' view models, in order.
        extracts: CSV extracts by name (embedded as downloads).
        script: Script to inline once (the Plotly.js bundle), or "".
        narrative: The "This month" sentences (first in the pack), each naming its section.
        commentary: The programme lead's commentary for the period ("" when none).
        commentary_by: Who wrote it and when, e.g. "lead@x, 3 Oct 2025".
        include: Section keys to print (see :data:`SECTIONS`); ``None`` prints them all.
    """

    filters: str
    description: str
    as_of: date
    made_on: date
    synthetic: bool
    tiles: Sequence[Tile]
    comparison: str
    matrix: pd.DataFrame
    group_by: str
    icons: Icons
    signal_charts: Sequence[ChartBlock] = ()
    signal_note: str = ""
    reach: pd.DataFrame = field(default_factory=pd.DataFrame)
    reach_chart: ChartBlock | None = None
    under_represented: Sequence[str] = ()
    reach_note: str = ""
    plan_due: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan_late: pd.DataFrame = field(default_factory=pd.DataFrame)
    plan_sections: Sequence[PackSection] = ()
    parts: Sequence[PackPart] = ()
    extracts: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    script: str = ""
    narrative: Sequence[str] = ()
    commentary: str = ""
    commentary_by: str = ""
    include: frozenset[str] | None = None

    def shows(self, key: str) -> bool:
        """Whether the lead chose this section (all are shown when nothing was chosen)."""
        return self.include is None or key in self.include


SECTIONS: dict[str, str] = {
    "narrative": "This month",
    "headlines": "Headlines",
    "matrix": "Summary of measures",
    "signals": "Measures showing signals",
    "reach": "Reach by staff group",
    "plan": "Plan",
    "engagement": "Engagement",
    "capability": "Capability",
    "projects": "Project progress",
}
"""Section keys → headings, in the pack's order (the lead's multiselect offers these)."""


CSS = """
:root { --blue:#005eb8; --text:#212b32; --grey:#4c6272; --line:#d8dde0; --pale:#f0f4f5; }
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; color: var(--text); margin: 0 auto;
       max-width: 1040px; padding: 16px 20px; font-size: 13px; line-height: 1.4; }
h1 { font-size: 24px; margin: 0 0 4px; color: var(--blue); }
h2 { font-size: 18px; margin: 22px 0 8px; border-bottom: 2px solid var(--blue);
     padding-bottom: 3px; }
h3 { font-size: 14px; margin: 14px 0 6px; }
.meta { color: var(--grey); margin: 2px 0; }
.badge { display: inline-block; background: #ffb81c; color: #212b32; font-weight: bold;
         padding: 2px 8px; border-radius: 10px; margin-left: 6px; }
.tiles { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; }
.tile { border: 1px solid var(--line); border-left: 5px solid var(--blue); padding: 8px 10px;
        break-inside: avoid; }
.tile .label { font-size: 12px; color: var(--grey); }
.tile .value { font-size: 24px; font-weight: bold; }
.tile .change { font-size: 12px; }
.tile .note { font-size: 11px; color: var(--grey); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left;
         vertical-align: middle; }
th { background: var(--pale); }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
tr.group td { background: #e8edee; font-weight: bold; }
.icon { display: inline-flex; align-items: center; gap: 6px; }
.icon svg { width: 30px; height: 30px; flex: none; }
.icon span { font-size: 11px; max-width: 170px; }
.chart { break-inside: avoid; margin: 8px 0 14px; }
.chart figcaption { font-size: 11px; color: var(--grey); }
.commentary { border-left: 5px solid var(--blue); background: var(--pale);
              padding: 4px 10px; margin: 6px 0; }
.callout { border-left: 5px solid #F46A25; background: #fff4ec; padding: 6px 10px; }
.downloads li { margin: 3px 0; }
a { color: var(--blue); }
section { margin-top: 8px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  section.break { break-before: page; }
  .tiles { grid-template-columns: repeat(3, 1fr); }
  a[download] { color: var(--text); text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

_SVG_OPEN = re.compile(r"^\s*<svg\b[^>]*>", re.S)


def _symbol(symbol_id: str, svg: str) -> str:
    """Turn a complete ``<svg>`` icon into a reusable ``<symbol>`` (same viewBox)."""
    m = re.search(r'viewBox="([^"]+)"', svg)
    view = m.group(1) if m else "0 0 100 100"
    inner = _SVG_OPEN.sub("", svg, count=1)
    inner = inner[: inner.rfind("</svg>")] if "</svg>" in inner else inner
    return f'<symbol id="{escape(symbol_id)}" viewBox="{escape(view)}">{inner}</symbol>'


def _sym_id(kind: str, state: str) -> str:
    return f"{kind}-" + re.sub(r"[^a-z0-9_]", "", str(state).lower())


def _icon(kind: str, state: str, label: str) -> str:
    words = escape(label)
    return (
        f'<span class="icon"><svg role="img" aria-label="{words}" viewBox="0 0 100 100">'
        f'<use href="#{_sym_id(kind, state)}"/></svg><span>{words}</span></span>'
    )


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return escape(f"{value:%d %b %Y}")
    if isinstance(value, date):
        return escape(f"{value:%d %b %Y}")
    if isinstance(value, float):
        return escape(f"{value:,.3g}")
    return escape(str(value))


def table_html(df: pd.DataFrame, *, numeric: Sequence[str] = (), empty: str = "None.") -> str:
    """A plain HTML table of ``df`` with every cell escaped.

    Args:
        df: Display columns (names become headings, underscores as spaces).
        numeric: Columns to right-align.
        empty: Text shown instead of an empty table.

    Returns:
        ``<table>…</table>`` or a paragraph with ``empty``.
    """
    if df.empty:
        return f"<p>{escape(empty)}</p>"
    head = "".join(
        f"<th scope=\"col\">{escape(str(c).replace('_', ' ').capitalize())}</th>"
        for c in df.columns
    )
    rows = []
    for rec in df.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{_cell(v)}</td>' if c in numeric else f"<td>{_cell(v)}</td>"
            for c, v in zip(df.columns, rec, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _matrix_html(pack: BoardPack) -> str:
    m = pack.matrix
    if m.empty:
        return "<p>No measures match these filters.</p>"
    icons = pack.icons
    head = (
        "<tr><th scope=\"col\">Project</th><th scope=\"col\">Measure</th>"
        "<th scope=\"col\">Latest</th><th scope=\"col\">Target</th>"
        "<th scope=\"col\">Variation</th><th scope=\"col\">Assurance</th>"
        "<th scope=\"col\">Latest signal</th></tr>"
    )
    rows: list[str] = []
    current = object()
    for rec in m.itertuples(index=False):
        if rec.group != current:
            current = rec.group
            rows.append(
                f'<tr class="group"><td colspan="7">{escape(pack.group_by)}: '
                f"{_cell(rec.group) or 'None'}</td></tr>"
            )
        signal = _cell(rec.signal)
        if signal and not pd.isna(rec.signal_date):
            signal = f"{_cell(rec.signal_date)}: {signal}"
        rows.append(
            "<tr>"
            f"<td>{_cell(rec.project)}</td><td>{_cell(rec.measure)}</td>"
            f'<td class="num">{_cell(rec.latest)}</td><td class="num">{_cell(rec.target)}</td>'
            f"<td>{_icon('v', rec.variation, icons.variation_label[rec.variation])}</td>"
            f"<td>{_icon('a', rec.assurance, icons.assurance_label[rec.assurance])}</td>"
            f"<td>{signal}</td></tr>"
        )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _downloads(pack: BoardPack) -> str:
    items = []
    for name, df in pack.extracts.items():
        payload = base64.b64encode(to_csv_bytes(df)).decode("ascii")
        fname = extract_filename(name, pack.description, pack.as_of)
        items.append(
            f'<li><a download="{escape(fname)}" href="data:text/csv;base64,{payload}">'
            f"{escape(name)} ({len(df):,} rows, CSV)</a></li>"
        )
    if not items:
        return "<p>No tables.</p>"
    return f'<ul class="downloads">{"".join(items)}</ul>'


def _chart(block: ChartBlock) -> str:
    alt = f"<figcaption>{escape(block.alt)}</figcaption>" if block.alt else ""
    heading = f"<h3>{escape(block.title)}</h3>" if block.heading else ""
    return (
        f'<figure class="chart" aria-label="{escape(block.title)}">{heading}'
        f"{block.html}{alt}</figure>"
    )


def section_html(sec: PackSection) -> str:
    """One section: heading, sentences, chart, table and notes (data text escaped)."""
    text = "".join(f"<p>{escape(t)}</p>" for t in sec.sentences)
    chart = _chart(sec.chart) if sec.chart is not None else ""
    table = table_html(sec.table, empty=sec.empty) if sec.table is not None else ""
    notes = "".join(f'<p class="meta">{escape(t)}</p>' for t in sec.notes)
    return f"<h3>{escape(sec.heading)}</h3>{text}{chart}{table}{notes}"


def _part_html(part: PackPart) -> str:
    body = "".join(section_html(sec) for sec in part.sections)
    return (f'<section id="{escape(part.key)}" class="break"><h2>{escape(part.title)}</h2>'
            f"{body}</section>")  # fmt: skip


def render_html(pack: BoardPack) -> str:
    """The board pack as one self-contained HTML document.

    Args:
        pack: The content.

    Returns:
        The HTML text (UTF-8 when encoded); opens offline and prints to A4.
    """
    icons = pack.icons
    symbols = "".join(
        [_symbol(_sym_id("v", k), v) for k, v in icons.variation_svg.items()]
        + [_symbol(_sym_id("a", k), v) for k, v in icons.assurance_svg.items()]
    )
    badge = '<span class="badge">Synthetic demo data</span>' if pack.synthetic else ""
    tiles = "".join(
        '<div class="tile">'
        f'<div class="label">{escape(t.label)}</div><div class="value">{escape(t.value)}</div>'
        f'<div class="change">{escape(t.change)}</div><div class="note">{escape(t.note)}</div>'
        "</div>"
        for t in pack.tiles
    )
    under = (
        '<p class="callout"><strong>Under-represented staff groups:</strong> '
        + escape(", ".join(map(str, pack.under_represented)))
        + "</p>"
        if pack.under_represented
        else "<p>No staff group is under-represented on this measure.</p>"
    )
    charts = "".join(_chart(c) for c in pack.signal_charts) or (
        "<p>No measure shows a signal at its latest point.</p>"
    )
    script = ""
    if pack.script:
        safe = pack.script.replace("</script", "<\\/script")
        script = f'<script type="text/javascript">{safe}</script>'
    reach_chart = _chart(pack.reach_chart) if pack.reach_chart is not None else ""
    plan = "".join(section_html(sec) for sec in pack.plan_sections) or (
        "<h3>Milestones due in the next 30 days</h3>"
        f"{table_html(pack.plan_due, empty='No milestones due in the next 30 days.')}"
        "<h3>Late milestones</h3>"
        f"{table_html(pack.plan_late, empty='No milestones are late.')}"
    )
    title = f"{PACK_TITLE}: {pack.filters}"
    body = {
        "narrative": _narrative_html(pack),
        "headlines": f'<section id="headlines"><h2>Headlines</h2><div class="tiles">{tiles}'
        "</div></section>",
        "matrix": '<section id="matrix" class="break"><h2>Summary of measures</h2>'
        "<p>Latest variation and assurance of every measure (Making Data Count icons; the "
        "words beside each icon say the same thing).</p>"
        f"{_matrix_html(pack)}</section>",
        "signals": '<section id="signals" class="break"><h2>Measures showing signals</h2>'
        f"<p>{escape(pack.signal_note)}</p>{charts}</section>",
        "reach": f'<section id="reach" class="break"><h2>Reach by staff group</h2>{under}'
        f"{reach_chart}{table_html(pack.reach, numeric=('engaged', 'headcount', 'rate'))}"
        f'<p class="meta">{escape(pack.reach_note)}</p></section>',
        "plan": f'<section id="plan" class="break"><h2>Plan</h2>{plan}</section>',
    }
    body.update({part.key: _part_html(part) for part in pack.parts})
    shown = "".join(html for key, html in body.items() if pack.shows(key))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style>{script}</head><body>"
        f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none" aria-hidden="true">'
        f"{symbols}</svg>"
        f"<header><h1>{escape(PACK_TITLE)}{badge}</h1>"
        f'<p class="meta"><strong>Filters:</strong> {escape(pack.filters)}</p>'
        f'<p class="meta"><strong>Data to:</strong> {pack.as_of:%d %B %Y} · '
        f"<strong>Produced:</strong> {pack.made_on:%d %B %Y} · "
        f"<strong>Changes:</strong> {escape(pack.comparison)}</p></header>"
        + shown
        + '<section id="extracts" class="break"><h2>Data extracts</h2>'
        "<p>The data behind each table, as CSV files safe to open in a spreadsheet.</p>"
        f"{_downloads(pack)}</section>"
        "</body></html>\n"
    )


def _narrative_html(pack: BoardPack) -> str:
    """The "This month" section: the lead's commentary, then the rule-made sentences."""
    comment = ""
    if pack.commentary.strip():
        paras = "".join(f"<p>{escape(p)}</p>" for p in pack.commentary.strip().split("\n")
                        if p.strip())  # fmt: skip
        by = f'<p class="meta">Commentary by {escape(pack.commentary_by)}</p>' \
            if pack.commentary_by else ""  # fmt: skip
        comment = f'<div class="commentary"><h3>Programme lead\'s commentary</h3>{paras}{by}</div>'
    items = "".join(f"<li>{escape(t)}</li>" for t in pack.narrative)
    listing = f"<ul>{items}</ul>" if items else "<p>No narrative for this selection.</p>"
    return (f'<section id="narrative"><h2>This month</h2>{comment}'
            "<h3>What changed, from the statistics</h3>"
            f"<p class=\"meta\">Each sentence comes from a rule over the charts in this pack "
            f"(changes {escape(pack.comparison)}) and names the section behind it.</p>"
            f"{listing}</section>")  # fmt: skip


def board_pack_bytes(pack: BoardPack) -> bytes:
    """:func:`render_html` encoded as UTF-8 (what the download button serves)."""
    return render_html(pack).encode("utf-8")


def board_pack_filename(description: str, on: date) -> str:
    """``qinet_board-pack_<filters>_<date>.html``, named like the CSV extracts."""
    return extract_filename("board pack", description, on).removesuffix(".csv") + ".html"


def board_pack_pdf_filename(description: str, on: date) -> str:
    """``qinet_board-pack_<scope and period>_<date>.pdf``, named like the HTML pack."""
    return board_pack_filename(description, on).removesuffix(".html") + ".pdf"
