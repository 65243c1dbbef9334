from qinet.ui import measures, state

measures.render(state.page_context("Measures"))
