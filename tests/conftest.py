"""Test-session set-up shared by every test folder."""

from __future__ import annotations

import os
import stat

import pytest

from tests.support import ROOT


@pytest.fixture(scope="session", autouse=True)
def checkout_closed_to_other_users():
    """As root, the checkout is closed to "other" for the session, as the uid sandbox requires
    of an instructor's checkout (it refuses to grade otherwise, naming this chmod), and its
    mode is put back afterwards."""
    if os.geteuid() != 0:
        yield
        return
    mode = stat.S_IMODE(ROOT.stat().st_mode)
    os.chmod(ROOT, mode & ~0o007)
    try:
        yield
    finally:
        os.chmod(ROOT, mode)
