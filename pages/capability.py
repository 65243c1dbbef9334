from qinet.ui import capability, state

capability.render(state.page_context("Capability"))
