from qinet.ui import state, timeline

timeline.render(state.page_context("Timeline"))
