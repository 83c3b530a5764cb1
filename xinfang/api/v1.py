"""JSON API v1 (django-ninja), mounted at /api/v1/; OpenAPI at /api/v1/openapi.json.

Staff authenticate with `Authorization: Bearer <token>` (see `xinfang.api.tokens`); every error
has the shape documented in `xinfang.api.errors`. Reference: docs/api.md.
"""

from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema

from xinfang.api import (
    actions,
    cases,
    errors,
    leadership_campaigns,
    leadership_consultations,
    leadership_hearings,
    leadership_ownership,
    leadership_reception,
    leadership_visits,
    reference,
    statistics,
    supervision,
    textintel,
)
from xinfang.api.auth import TokenAuth


class XinfangAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """Every operation that takes a body may answer 413 (`errors._too_big`): declared too."""
        schema = super().get_openapi_schema(**kwargs)
        too_large = {
            "description": "Request body too large (DATA_UPLOAD_MAX_MEMORY_SIZE)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    operation["responses"].setdefault(413, too_large)
        return schema


api = XinfangAPI(
    title="Xinfang API",
    version="1",
    description='信访事项办理系统 JSON API. Errors: {"detail": [{"field", "message", "code"}]}.',
    urls_namespace="api-v1",
    auth=TokenAuth(),
    # Swagger UI's assets come from our static files ("ninja" in INSTALLED_APPS), and it must not
    # send the schema to the public validator service: closed networks reach neither.
    docs=Swagger(settings={"validatorUrl": None}),
    parser=errors.ObjectBodyParser(),
)
errors.install(api)
# Before cases: /cases/due-soon, /cases/overdue (and /cases/similar) must not be taken for /cases/{case_id}.
api.add_router("", supervision.router)
api.add_router("", textintel.router)  # /cases/similar, likewise
api.add_router("", cases.router)
api.add_router("", actions.router)
api.add_router("", reference.router)
api.add_router("", statistics.router)
# The leaders' work (领导接访, 约访, 下访, 包案, 积案化解, 听证, 会商研判), under /leadership/.
for _module in (
    leadership_reception,
    leadership_visits,
    leadership_ownership,
    leadership_campaigns,
    leadership_hearings,
    leadership_consultations,
):
    api.add_router("", _module.router)
