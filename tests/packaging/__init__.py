"""Tests of nndl-grade build: the student handout and the Gradescope autograders."""
