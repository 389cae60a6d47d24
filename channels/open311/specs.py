"""OpenAPI operations of the Open311 GeoReport v2 endpoints (assembled into /openapi.json)."""
from __future__ import annotations

import copy

TAGS = ["open311"]
_NULLABLE_STRING = {"type": ["string", "null"]}
# Inlined, not $ref'd: the app's OpenAPI document takes only paths from each domain.
ERRORS_SCHEMA = {"type": "array", "items": {"type": "object", "required": ["code", "description"],
                                            "properties": {"code": {"type": "integer"},
                                                           "description": {"type": "string"}}}}
SERVICE_SCHEMA = {"type": "object", "properties": {
    name: {"type": "string"} for name in ("service_code", "service_name", "description", "type", "keywords",
                                          "group")} | {"metadata": {"type": "boolean"}}}
CREATED_SCHEMA = {"type": "object", "properties": {
    "service_request_id": {"type": "string"}, "token": _NULLABLE_STRING, "service_notice": _NULLABLE_STRING,
    "account_id": _NULLABLE_STRING}}
REQUEST_SCHEMA = {"type": "object", "properties": {
    **{name: _NULLABLE_STRING for name in (
        "service_request_id", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "address", "address_id", "zipcode", "media_url")},
    "status": {"type": "string", "enum": ["open", "closed"]},
    **{name: {"type": ["string", "null"], "format": "date-time"}
       for name in ("requested_datetime", "updated_datetime", "expected_datetime")},
    "lat": {"type": ["number", "null"]}, "long": {"type": ["number", "null"]}}}
JSON_ERRORS = {"content": {"application/json": {"schema": ERRORS_SCHEMA}}}
ERRORS = {
    "400": {"description": "参数有误（缺少 service_code、位置或 description 等）", **JSON_ERRORS},
    "403": {"description": "缺少或无效的 api_key", **JSON_ERRORS},
    "404": {"description": "service_code 或 service_request_id 不存在", **JSON_ERRORS},
}
API_KEY = {"name": "api_key", "in": "query", "required": False, "schema": {"type": "string"},
           "description": "API密钥（也可用 Authorization: Bearer 头）"}


def _list_of(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": {"type": "array", "items": schema}}}}


def _query(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string", **schema},
            "description": description}


SERVICES = {
    "summary": "Open311：服务类别列表", "operationId": "open311ListServices", "tags": TAGS, "security": [],
    "responses": {"200": {"description": "服务目录", **_list_of(SERVICE_SCHEMA)}},
}
SERVICE = {
    "summary": "Open311：服务定义", "operationId": "open311ServiceDefinition", "tags": TAGS, "security": [],
    "parameters": [{"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "服务定义（本系统的服务没有附加属性）", "content": {"application/json": {
        "schema": {"type": "object", "properties": {"service_code": {"type": "string"},
                                                    "attributes": {"type": "array", "items": {}}}}}}},
        "404": ERRORS["404"]},
}
CREATE = {
    "summary": "Open311：提交诉求（生成工单）", "operationId": "open311CreateRequest", "tags": TAGS,
    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["api_key", "service_code", "description"], "properties": {
            "api_key": {"type": "string"}, "service_code": {"type": "string"},
            "lat": {"type": "number"}, "long": {"type": "number"}, "address_string": {"type": "string"},
            "address_id": {"type": "string"}, "description": {"type": "string"},
            "first_name": {"type": "string"}, "last_name": {"type": "string"}, "phone": {"type": "string"},
            "email": {"type": "string"}, "device_id": {"type": "string"}, "account_id": {"type": "string"},
            "media_url": {"type": "string", "format": "uri"}, "jurisdiction_id": {"type": "string"},
            "token": {"type": "string", "description": "扩展：客户端自定的提交标识，重复提交返回同一工单"}}}}}},
    "responses": {"201": {"description": "已受理", **_list_of(CREATED_SCHEMA)},
                  "200": {"description": "同一 token 已提交过，返回原工单",
                          **_list_of(CREATED_SCHEMA)}, **ERRORS},
}
LIST = {
    "summary": "Open311：查询诉求", "operationId": "open311ListRequests", "tags": TAGS,
    "parameters": [
        API_KEY, _query("service_request_id", "工单编号，逗号分隔；给出时忽略其他条件"),
        _query("service_code", "服务类别，逗号分隔"),
        _query("start_date", "受理时间起（W3C日期时间）", format="date-time"),
        _query("end_date", "受理时间止（W3C日期时间）", format="date-time"),
        _query("status", "open 或 closed，逗号分隔")],
    "responses": {"200": {"description": "最多1000条，默认最近90天",
                          **_list_of(REQUEST_SCHEMA)}, **ERRORS},
}
READ = {
    "summary": "Open311：查看一条诉求", "operationId": "open311ReadRequest", "tags": TAGS,
    "parameters": [API_KEY, {"name": "service_request_id", "in": "path", "required": True,
                             "schema": {"type": "string"}, "description": "工单编号"}],
    "responses": {"200": {"description": "一条诉求（数组）", **_list_of(REQUEST_SCHEMA)},
                  **ERRORS},
}
TOKEN = {
    "summary": "Open311：按 token 查询工单编号", "operationId": "open311ReadToken", "tags": TAGS,
    "parameters": [API_KEY, {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "token 对应的工单", **_list_of(CREATED_SCHEMA)},
                  **ERRORS},
}

def as_xml(spec: dict) -> dict:
    """The same operation answering XML (GeoReport's .xml format)."""
    xml = copy.deepcopy(spec)
    xml["operationId"] += "Xml"
    xml["summary"] += "（XML）"
    for response in xml["responses"].values():
        if "content" in response:
            response["content"] = {"text/xml": {"schema": {"type": "string"}}}
    return xml
