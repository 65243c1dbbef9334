from qinet.ui import projects, state

projects.render(state.page_context("Projects"))
