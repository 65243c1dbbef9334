from qinet.ui import overview, state

overview.render(state.page_context("Overview"))
