"""Concept koans: one file per topic, each claim a short test with blanks to fill in (see dojo/koans.py)."""
