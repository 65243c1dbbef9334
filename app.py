"""qinet router: the shared frame (database, sign-in, sidebar, navigation), then the page."""

from qinet.ui import shell

page = shell.frame()
with shell.routing():
    page.run()
