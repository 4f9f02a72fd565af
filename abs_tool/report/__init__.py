"""Presentation only: :mod:`.tables` (DataFrames and JSON-ready dicts for the CLI and the
app) and :mod:`.excel` (the term-sheet workbook). Lays out what the analysis layer computed.
"""
