from qinet.ui import overview
from qinet.ui.context import page_context

overview.render(page_context("Overview"))
