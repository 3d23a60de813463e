"""Response headers the security middleware of Django and django-csp do not set."""

from __future__ import annotations

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (``settings.QIAOLIAN_PERMISSIONS_POLICY``): which browser
    features pages may use. A view that sets the header itself keeps its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "QIAOLIAN_PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
