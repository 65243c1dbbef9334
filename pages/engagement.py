from qinet.ui import engagement, state

engagement.render(state.page_context("Engagement"))
