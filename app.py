"""qinet router: page config, database ready, shared sidebar filters, navigation."""

import streamlit as st

from qinet.ui import filters, shell, state

st.set_page_config(page_title="qinet", page_icon=":material/insights:", layout="wide")
shell.database_ready()
filters.sidebar()
pg = st.navigation(shell.navigation(shell.viewer()))
with state.routing():
    pg.run()
