"""Shared fixtures: the Jinshan federation tree with a user of every role (CONVENTIONS §7)."""

from __future__ import annotations

import pytest

from qiaolian.core import crypto


@pytest.fixture(autouse=True)
def _fresh_crypto_caches():
    crypto.reset_caches()
    yield


@pytest.fixture
def jinshan(db):
    from qiaolian.testing import build_jinshan

    return build_jinshan()


def pytest_configure(config):
    # pytest-xdist registers it; without xdist (-p no:xdist) --strict-markers would refuse it
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``--dist loadgroup``), the tests of a module that builds the demo once
    (a module-scoped ``demo`` fixture, ~10 s) all go to one worker, so the demo is built once per
    module rather than once per worker that happens to get one of its tests."""
    for item in items:
        if "demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
