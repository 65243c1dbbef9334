from qinet.ui import engagement
from qinet.ui.context import page_context

engagement.render(page_context("Engagement"))
