"""Query builders (return ``select()`` statements) and fetchers (return DataFrames).

Every function takes a ``Session`` (never opens one) and a ``Viewer`` whose
directorate/programme scope is applied inside the statement, plus the user's
``Filters``. Values from users only ever travel as bound parameters.
"""
