from qinet.ui import measures
from qinet.ui.context import page_context

measures.render(page_context("Measures"))
