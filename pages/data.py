from qinet.ui import data, state

data.render(state.page_context("Data", admin_only=True))
