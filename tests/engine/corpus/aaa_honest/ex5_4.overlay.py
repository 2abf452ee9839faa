"""Honest: the reference, unchanged (10/10)."""
