"""One build of the course per test session, shared by the tests of this folder."""

from __future__ import annotations

import json

import pytest

from autograder.build import BuildOutputs, build
from tests.build.helpers import SCHEMA


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuildOutputs:
    """``nndl-grade build`` of chapter 5, into a temporary folder."""
    return build(tmp_path_factory.mktemp("dist"), chapter="ch5")


@pytest.fixture(scope="session")
def results_validator():
    """A jsonschema validator of Gradescope's results.json."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


