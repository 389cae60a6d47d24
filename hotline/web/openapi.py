"""The OpenAPI 3.1 document, assembled from the specs each domain registered with its routes."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from hotline.web.keys import PUBLIC_URL
from tracking.openapi_specs import SCHEMAS

OPENAPI_PATHS = web.AppKey("openapi_paths", dict)
OPENAPI_SCHEMAS = web.AppKey("openapi_schemas", dict)


def openapi_document(app: web.Application) -> dict[str, Any]:
    settings_url = app[PUBLIC_URL]
    return {
        "openapi": "3.1.0",
        "info": {"title": "12345 政务服务便民热线 API", "version": "1.0.0",
                 "description": "工单登记、查询与流转；Open311 GeoReport v2；上级派单。"},
        "servers": [{"url": settings_url}],
        "components": {
            "schemas": {**SCHEMAS, **app[OPENAPI_SCHEMAS]},
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "hotline apikey create 生成的密钥"},
                "session": {"type": "apiKey", "in": "cookie", "name": "hotline_session"}},
        },
        "security": [{"apiKey": []}, {"session": []}],
        "paths": app[OPENAPI_PATHS],
    }
