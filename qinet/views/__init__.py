"""Pure view models: what each page (and the board pack) shows, with no Streamlit.

One module per page turns a ``ViewContext`` (engine, viewer, filters, today)
into that page's view model: display-ready frames, figures, sentences and
extracts. ``qinet.ui`` lays the view models out; ``qinet.io.boardpack``
assembles the same view models, so a number on screen, in a CSV and in the
pack is one computation.
"""
