"""Shared pytest configuration: the `--runslow` option for long campaigns."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --runslow for exhaustive and campaign tests."""
    parser.addoption("--runslow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `slow` tests unless --runslow is given."""
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# The public API is implemented twice: by the model (the spec) and by the C
# library. Tests written against `api` run unchanged against both.
@pytest.fixture(params=["iobuf.model", "iobuf.impl"])
def api(request: pytest.FixtureRequest) -> object:
    """The module under test: `iobuf.model` or `iobuf.impl` (same API)."""
    import importlib

    return importlib.import_module(request.param)
