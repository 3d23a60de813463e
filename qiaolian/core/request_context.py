"""Who is asking, from where: set by middleware for the length of one request."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("qiaolian_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_ip(value: str | None):
    return _ip.set(value)


def reset_ip(token) -> None:
    _ip.reset(token)


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the first X-Forwarded-For hop when a trusted proxy is configured."""
    from django.conf import settings

    if getattr(settings, "QIAOLIAN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None
