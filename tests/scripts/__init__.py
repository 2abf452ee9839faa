"""Tests of the maintenance scripts in scripts/."""
