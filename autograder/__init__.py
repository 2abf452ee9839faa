"""Auto-graded exercises for chapter 5 of *Neural Networks and Deep Learning* (nndl).

Kept import-light on purpose: ``autograder.checks`` ships inside the student handout,
where only NumPy is installed.
"""

__version__ = "0.1.0"
