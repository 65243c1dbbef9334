"""Pure statistics: run charts, Shewhart/SPC charts, summaries, suppression.

Nothing in this package imports streamlit, sqlalchemy or plotly, or touches a
file: it takes pandas/numpy values and returns data frames and dataclasses.
"""
