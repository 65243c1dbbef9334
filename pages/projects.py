from qinet.ui import projects
from qinet.ui.context import page_context

projects.render(page_context("Projects"))
