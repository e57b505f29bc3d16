"""The shared fixtures live in the root ``conftest.py``; this keeps ``from .conftest import login`` working."""

from __future__ import annotations

from tests.factories import login

__all__ = ["login"]
