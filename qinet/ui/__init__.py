"""The Streamlit layer: the only package that imports streamlit.

Pages call one ``render(ctx)`` function here; each composes queries → stats →
charts and catches qinet's named errors per panel.
"""
