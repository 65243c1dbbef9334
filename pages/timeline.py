from qinet.ui import timeline
from qinet.ui.context import page_context

timeline.render(page_context("Timeline"))
