"""Figures and icons: pure functions from statistics results to Plotly figures and SVG.

``charts`` never queries and never imports Streamlit: ``spc.figure`` and
``runchart.figure`` take an engine result frame and return a ``go.Figure``;
``icons`` draws the Making Data Count variation and assurance icons as inline SVG;
``palette`` holds every colour and marker shape in one frozen dataclass.
"""
