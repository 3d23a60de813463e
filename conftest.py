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
