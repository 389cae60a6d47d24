"""OpenAPI operations of tracking's work lists (assembled into /openapi.json by the app)."""
from tracking.openapi_specs import ERRORS

LIST_OF_TICKETS = {"type": "object", "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"}}}
PAGE = {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}}

QUEUE = {
    "summary": "承办单位待办队列（按紧急程度和时限排序，含红黄绿灯）", "operationId": "departmentQueue",
    "tags": ["tracking"],
    "description": "承办单位的密钥只能看到本单位；督办人员可用 department 参数查看任一单位。",
    "parameters": [
        {"name": "department", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "承办单位编码（仅督办人员）"},
        {"name": "view", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["todo", "sign_in", "working", "replied"]}},
        {"name": "light", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["red", "yellow", "green"]}},
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}}, PAGE],
    "responses": {"200": {"description": "一页待办工单", "content": {"application/json": {"schema": {
        "allOf": [LIST_OF_TICKETS, {"type": "object", "properties": {"department": {"type": "object"}}}]}}}},
        **ERRORS},
}
SUPERVISION = {
    "summary": "督办列表：延期审批、超时红灯、督办中、多次退单待定、重办后仍不满意", "operationId": "supervisionList",
    "tags": ["tracking"],
    "parameters": [{"name": "view", "in": "path", "required": True, "schema": {
        "type": "string", "enum": ["extensions", "red", "escalated", "returned", "reopened"]}}, PAGE],
    "responses": {"200": {"description": "一页工单", "content": {"application/json": {"schema": LIST_OF_TICKETS}}},
                  **ERRORS},
}
NOTIFICATIONS = {
    "summary": "站内消息（最新在前）与未读数", "operationId": "listNotifications", "tags": ["tracking"],
    "parameters": [{"name": "before", "in": "query", "required": False, "schema": {"type": "integer"},
                    "description": "只列出编号小于此值的消息（翻页）"}],
    "responses": {"200": {"description": "消息", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"unread": {"type": "integer"}, "items": {"type": "array", "items": {
            "type": "object", "properties": {
                "id": {"type": "integer"}, "kind": {"type": "string"}, "text": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "ticket": {"type": ["string", "null"]}, "new": {"type": "boolean"}}}}}}}}}, **ERRORS},
}
