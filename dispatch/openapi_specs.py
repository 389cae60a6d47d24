"""OpenAPI operations of the dispatch API (assembled into /openapi.json by the app)."""
from tracking.openapi_specs import ERRORS, NUMBER

NAMED = {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
CHOICE = {"type": "object", "properties": {
    "department": NAMED, "service": {**NAMED, "nullable": True}, "confidence": {"type": "number"}}}
PROPOSAL = {"type": "object", "properties": {
    "department": {**NAMED, "nullable": True, "description": "建议的承办单位；无法建议时为 null"},
    "service": {**NAMED, "nullable": True, "description": "建议的服务目录条目"},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    "alternatives": {"type": "array", "items": CHOICE, "description": "其他可能的承办单位（与建议合为前三）"},
    "top_terms": {"type": "array", "items": {"type": "string"}, "description": "最能说明建议的词"},
    "district": {"type": "string", "nullable": True, "description": "识别出的属地（区县）"},
    "rule": {"type": "string", "nullable": True, "description": "决定建议的分派规则名称"},
    "priority": {"type": "string", "nullable": True, "description": "规则要求的紧急程度"},
    "model": {"type": "string", "nullable": True}, "model_version": {"type": "string", "nullable": True},
    "needs_triage": {"type": "boolean", "description": "置信度低于阈值，需人工分派"},
    "reason": {"type": "string"}}}

PROPOSE = {
    "summary": "分派建议：为诉求文本建议承办单位和服务目录条目", "operationId": "proposeDepartment",
    "tags": ["dispatch"],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["text"], "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 20000},
            "address": {"type": "string", "maxLength": 300},
            "service_code": {"type": "string", "description": "已选定的服务目录条目（可选）"}}}}}},
    "responses": {"200": {"description": "建议", "content": {"application/json": {"schema": PROPOSAL}}}, **ERRORS},
}
TICKET_ROUTING = {
    "summary": "工单的分派建议记录与协办单位", "operationId": "ticketRouting", "tags": ["dispatch"],
    "parameters": [NUMBER],
    "responses": {"200": {"description": "分派记录", "content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "proposals": {"type": "array", "items": {"type": "object"}},
            "assists": {"type": "array", "items": {"type": "object"}}}}}}}, **ERRORS},
}
ADD_ASSIST = {
    "summary": "增加协办单位", "operationId": "addAssistingDepartment", "tags": ["dispatch"],
    "parameters": [NUMBER],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["department"], "properties": {
            "department": {"type": "string", "description": "单位编码"}, "note": {"type": "string"}}}}}},
    "responses": {"201": {"description": "已增加"}, **ERRORS},
}
END_ASSIST = {
    "summary": "撤销协办单位", "operationId": "endAssistance", "tags": ["dispatch"],
    "parameters": [NUMBER, {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "已撤销"}, **ERRORS},
}
OPINION = {
    "summary": "提交协办意见（协办单位）", "operationId": "submitAssistOpinion", "tags": ["dispatch"],
    "parameters": [NUMBER],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["opinion"], "properties": {"opinion": {"type": "string", "maxLength": 5000}}}}}},
    "responses": {"200": {"description": "已提交"}, **ERRORS},
}
