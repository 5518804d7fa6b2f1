"""Exercises. Each module is one exercise; `dojo list` shows them in order."""
