"""Imports torch, which the grader does not have (0/10, the message names torch)."""
import torch  # noqa: F401
