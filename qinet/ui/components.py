"""Reusable page pieces: error-isolating panels, CSV download, KPI tiles, empty states."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from qinet.errors import InsufficientDataError, NotFoundError, NotPermittedError, QinetError
from qinet.filters import Filters
from qinet.io.export import extract_filename, to_csv_bytes

log = logging.getLogger("qinet.ui")

SYNTHETIC_KEY = "_qinet_synthetic"  # set by state.page_context for this session
SCOPE_KEY = "_qinet_scope"  # a scoped viewer's areas, e.g. "Medicine" (state.scope_label)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


_AUTOLINK = re.compile(r"(?i)(\\:(?=//)|(?<![\w])www(?=\\\.))")


def md_escape(text: str) -> str:
    """Escape Markdown so data-derived text is shown literally (never as links or markup).

    Streamlit's Markdown also turns bare ``http://…`` and ``www.…`` into links even when
    their punctuation is escaped, so a zero-width space breaks those two patterns.
    """
    return _AUTOLINK.sub("\\1\u200b", _MD_SPECIAL.sub(r"\\\1", text))


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
    f: Filters,
    name: str,
    *,
    today,
    label: str = "Download CSV",
    key: str | None = None,
) -> None:
    """A download button for exactly the data behind a table or chart.

    The CSV is encoded only when the button is clicked, so large extracts cost
    nothing on reruns and are not held in session memory.

    Args:
        df: The frame on screen (already scoped, filtered and suppressed).
        f: The filters applied (their description heads the file and names it).
        name: Page or panel name used in the file name.
        today: Extract date for the file name.
        label: Button text.
        key: Widget key when a page has several downloads of the same name.
    """
    synthetic = bool(st.session_state.get(SYNTHETIC_KEY, False))
    frame = df.copy()  # the bytes are made on click, from the frame as shown now
    st.download_button(
        label,
        data=lambda: to_csv_bytes(frame),
        file_name=extract_filename(name, describe_for_file(f), today, synthetic=synthetic),
        mime="text/csv",
        key=key or f"dl_{name}",
        on_click="ignore",
        icon=":material/download:",
    )


def with_scope(description: str, scope: str) -> str:
    """A filter description naming a scoped viewer's areas instead of "Whole network"."""
    return description.replace("Whole network", scope, 1) if scope else description


def describe_for_file(f: Filters) -> str:
    """``f.describe()`` for this session's viewer (see ``with_scope``)."""
    return with_scope(f.describe(), st.session_state.get(SCOPE_KEY, ""))


def kpi(column, label: str, value: str, delta: str | None = None, help: str | None = None,
        delta_color: str = "normal") -> None:
    """One headline tile (``st.metric``) in a column."""
    column.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=True)


def empty_state(message: str) -> None:
    """A friendly explanation instead of an empty panel."""
    st.info(message, icon=":material/info:")
