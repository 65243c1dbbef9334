from qinet.ui import capability
from qinet.ui.context import page_context

capability.render(page_context("Capability"))
