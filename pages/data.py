from qinet.ui import data
from qinet.ui.context import page_context

data.render(page_context("Data", admin_only=True))
