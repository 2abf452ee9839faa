"""Templates ``nndl-grade build`` fills in: the handout's README and ``check.py``, and the
lines it adds to Otter's ``setup.sh`` and puts in ``run_autograder`` for Gradescope."""
