"""The platform's stack, synthesised once for every infrastructure test module."""

from __future__ import annotations

import pytest

from infra.app import build_app
from tests.infra.template import CDK_VARIABLES, Synthesised, synthesise


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Synthesised:
    """The app as `make synth` builds it, cdk-nag included, synthesised once, environment-agnostic."""
    with pytest.MonkeyPatch.context() as patch:
        for variable in CDK_VARIABLES:
            patch.delenv(variable, raising=False)
        app, stack = build_app(str(tmp_path_factory.mktemp("cdk.out")))
        return synthesise(app, stack)
