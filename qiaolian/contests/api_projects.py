"""API router (filled in by the contests work)."""

from ninja import Router

router = Router(tags=["contests"])
