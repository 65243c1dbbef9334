"""Reusable page pieces: error-isolating panels, CSV download, KPI tiles, empty states."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from qinet.charts.palette import readable_axes
from qinet.db import PROJECT_ROOT
from qinet.errors import InsufficientDataError, NotFoundError, NotPermittedError, QinetError
from qinet.io.export import extract_filename, to_csv_bytes
from qinet.views.base import ViewContext

log = logging.getLogger("qinet.ui")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


_AUTOLINK = re.compile(r"(?i)(\\:(?=//)|(?<![\w])www(?=\\\.))")


def md_escape(text: str) -> str:
    """Escape Markdown so data-derived text is shown literally (never as links or markup).

    Streamlit's Markdown also turns bare ``http://…`` and ``www.…`` into links even when
    their punctuation is escaped, so a zero-width space breaks those two patterns.
    """
    return _AUTOLINK.sub("\\1\u200b", _MD_SPECIAL.sub(r"\\\1", text))


def md_literal(text: str) -> str:
    """User-supplied text (a claimed name or email) as an inline code span: never a link."""
    return "`" + " ".join(text.replace("`", "'").split())[:200] + "`"


def _blank() -> None:
    """The page run while the app is stopped or signed out (nothing to show)."""


def hide_pages() -> None:
    """Register hidden blank pages only, so no page list (not even ``pages/``) is shown.

    One blank page per ``pages/`` script keeps a deep link (``/measures``) quiet
    instead of Streamlit's "Page not found" dialog.
    """
    stems = sorted(p.stem for p in (PROJECT_ROOT / "pages").glob("*.py"))
    pages = [st.Page(_blank, title="qinet", default=True)]
    pages += [st.Page(_blank, title="qinet", url_path=stem) for stem in stems]
    st.navigation(pages, position="hidden")


def halt(message: str) -> None:
    """Stop the app with one line (a setup problem): no page list, nothing else served."""
    hide_pages()
    st.error(message, icon=":material/block:")
    st.stop()


@contextmanager
def panel(name: str) -> Iterator[None]:
    """Run one panel; a failure shows a plain-English message instead of blanking the page.

    Named qinet errors show their own message. Anything else is logged with a
    short reference and the user sees that reference, never a traceback.
    Streamlit's own control flow (``st.stop``, reruns) passes through, since
    those are ``BaseException``s.

    Args:
        name: What the panel shows, used in the message.
    """
    try:
        yield
    except (InsufficientDataError, NotFoundError) as exc:
        st.info(f"{name}: {exc}")
    except NotPermittedError as exc:
        st.warning(f"{name}: {exc}")
    except QinetError as exc:
        st.warning(f"{name} could not be shown: {exc}")
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("panel %r failed (ref %s)", name, ref)
        st.error(
            f"{name} could not be shown because of an unexpected problem. The rest of the page "
            f"is unaffected. If it persists, give your QI team this reference: {ref}."
        )


def download_csv(
    df: pd.DataFrame,
    view: ViewContext,
    name: str,
    *,
    label: str = "Download CSV",
    key: str | None = None,
) -> None:
    """A download button for exactly the data behind a table or chart.

    The CSV is encoded only when the button is clicked, so large extracts cost
    nothing on reruns and are not held in session memory. The file name says the
    scoped filter description (a Medicine lead's file says "Medicine", not
    "Whole network") and whether the data are synthetic.

    Args:
        df: The frame on screen (already scoped, filtered and suppressed).
        view: The request (``ctx.view``): scoped description, date, synthetic flag.
        name: Page or panel name used in the file name.
        label: Button text.
        key: Widget key when a page has several downloads of the same name.
    """
    frame = df.copy()  # the bytes are made on click, from the frame as shown now
    st.download_button(
        label,
        data=lambda: to_csv_bytes(frame),
        file_name=extract_filename(name, view.describe(), view.today, synthetic=view.synthetic),
        mime="text/csv",
        key=key or f"dl_{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def chart(fig, *, key: str, alt: str, config: dict | None = None,
          width: str = "stretch") -> None:  # noqa: ANN001 - a plotly Figure
    """Show a Plotly figure with readable axis text (Streamlit's theme greys it to 3.7:1).

    Every page draws its charts through here, so the contrast fix cannot be forgotten on a
    new page (``tests/app/test_chart_text_contrast.py`` reads every chart's spec).
    """
    st.plotly_chart(readable_axes(fig), width=width, key=key, alt=alt,
                    config=config if config is not None else {"displayModeBar": False})


def kpi(column, label: str, value: str, delta: str | None = None, help: str | None = None,
        delta_color: str = "normal") -> None:
    """One headline tile (``st.metric``) in a column."""
    column.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=True)


def empty_state(message: str) -> None:
    """A friendly explanation instead of an empty panel."""
    st.info(message, icon=":material/info:")
