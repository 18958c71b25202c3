"""The text pipeline: pure functions over a frozen config, no I/O and no globals.

extract (HTML) → blocks → normalise → strip chrome → tokenise → shingle.
"""
