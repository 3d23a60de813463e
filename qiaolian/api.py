"""The REST API under /api/v1/ (django-ninja); each app adds its router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Qiaolian API", version="1", urls_namespace="api")
