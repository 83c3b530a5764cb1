"""JSON API v1 (django-ninja). Endpoints are added in routers."""

from ninja import NinjaAPI

api = NinjaAPI(title="Xinfang API", version="1", urls_namespace="api-v1")
