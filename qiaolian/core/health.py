"""Liveness and readiness for load balancers and process supervisors (docs/operations.md).

``/healthz`` answers as long as the process serves requests (no database: a database outage must
not make the supervisor restart healthy web processes); ``/readyz`` answers 200 only when the
database answers too, and 503 otherwise, so a load balancer stops sending traffic until it is back.
Neither says anything about the data; both are public and never cached."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
