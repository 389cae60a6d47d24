"""OpenAPI operations of the ticket API (assembled into /openapi.json by the app)."""

ERRORS = {
    "400": {"description": "输入有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "401": {"description": "需要登录或API密钥"},
    "403": {"description": "无权执行"},
    "404": {"description": "工单不存在或无权查看", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "409": {"description": "当前状态不允许此操作", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
}
TICKET = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ticket"}}}}
NUMBER = {"name": "number", "in": "path", "required": True,
          "schema": {"type": "string", "pattern": r"^\d{8}-\d{6}$"}, "description": "工单编号"}

CREATE = {
    "summary": "登记工单 (受理)", "operationId": "createTicket", "tags": ["tickets"],
    "description": "channel 为 api（默认）的工单登记后由智能分派自动派单或转人工分派；phone、letter 由登记人自行派单。",
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewTicket"}}}},
    "responses": {"201": {"description": "已登记", **TICKET},
                  "200": {"description": "同一 external_id 已登记过，返回原工单", **TICKET}, **ERRORS},
}
LIST = {
    "summary": "工单列表", "operationId": "listTickets", "tags": ["tickets"],
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}
        for name, schema, desc in [
            ("status", {"type": "string"}, "状态"), ("channel", {"type": "string"}, "渠道"),
            ("priority", {"type": "string"}, "紧急程度"), ("phone", {"type": "string"}, "来电号码"),
            ("q", {"type": "string"}, "标题、内容或编号"), ("department_id", {"type": "integer"}, "承办单位ID"),
            ("from", {"type": "string", "format": "date-time"}, "登记时间起"),
            ("to", {"type": "string", "format": "date-time"}, "登记时间止"),
            ("page", {"type": "integer", "minimum": 1}, "页码"),
            ("per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "每页条数"),
        ]],
    "responses": {"200": {"description": "一页工单", "content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}},
            "total": {"type": "integer", "description": "符合条件的工单数，最多计到10000"},
            "total_exact": {"type": "boolean", "description": "false：符合条件的工单超过 total 件"},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "pages": {"type": "integer"}}}}}}, **ERRORS},
}
READ = {
    "summary": "按编号查看工单及其全部流转记录", "operationId": "readTicket", "tags": ["tickets"],
    "parameters": [NUMBER], "responses": {"200": {"description": "工单", **TICKET}, **ERRORS},
}
ACT = {
    "summary": "对工单执行操作（派单、签收、退单、延期、答复、回访、办结、重办、督办、并单…）",
    "operationId": "actOnTicket", "tags": ["tickets"],
    "parameters": [NUMBER, {"name": "action", "in": "path", "required": True, "schema": {"type": "string", "enum": [
        "dispatch", "reassign", "answer_directly", "merge", "accept", "start_work", "return",
        "request_extension", "grant_extension", "refuse_extension", "reply", "record_callback",
        "finish_callback", "close", "reopen", "escalate", "remind", "add_note"]}}],
    "requestBody": {"required": False, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionFields"}}}},
    "responses": {"200": {"description": "操作后的工单", **TICKET}, **ERRORS},
}

SCHEMAS = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
    "NewTicket": {"type": "object", "required": ["content"], "properties": {
        "content": {"type": "string", "minLength": 1, "maxLength": 20000}, "title": {"type": "string", "maxLength": 200},
        "contact_name": {"type": "string", "maxLength": 80}, "contact_phone": {"type": "string", "maxLength": 32},
        "address": {"type": "string", "maxLength": 300}, "external_id": {"type": "string", "maxLength": 120},
        "priority": {"type": "string", "enum": ["normal", "urgent", "emergency"]},
        "channel": {"type": "string", "enum": ["api", "phone", "letter"]},
        "service_code": {"type": "string", "maxLength": 60}}},
    "ActionFields": {"type": "object", "properties": {
        "department": {"type": "string"}, "note": {"type": "string"}, "reason": {"type": "string"},
        "reply": {"type": "string"}, "answer": {"type": "string"}, "into": {"type": "string"},
        "working_days": {"type": "integer", "minimum": 1, "maximum": 15},
        "satisfaction": {"type": "string", "enum": ["satisfied", "basically_satisfied", "unsatisfied"]},
        "resolved": {"type": "boolean"}, "article_id": {"type": "integer"},
        "method": {"type": "string", "enum": ["phone", "sms"], "description": "回访方式"},
        "outcome": {"type": "string", "enum": ["close", "reopen", "hold"],
                    "description": "finish_callback：回访后办结、重办或暂不处理"}}},
    "Ticket": {"type": "object", "properties": {
        "number": {"type": "string"}, "status": {"type": "string"}, "status_label": {"type": "string"},
        "channel": {"type": "string"}, "priority": {"type": "string"}, "title": {"type": "string"},
        "content": {"type": "string"}, "address": {"type": "string"},
        "contact": {"type": "object", "properties": {"name": {"type": "string"}, "phone": {"type": ["string", "null"]}}},
        "department": {"type": ["object", "null"]}, "registered_at": {"type": "string", "format": "date-time"},
        "sign_in_due_at": {"type": ["string", "null"]}, "reply_due_at": {"type": ["string", "null"]},
        "step": {"type": ["object", "null"], "description": "当前计时环节：sign_in 签收、reply 答复、callback 回访",
                 "properties": {"name": {"type": "string"}, "label": {"type": "string"},
                                "due_at": {"type": "string"}, "yellow_at": {"type": "string"}}},
        "light": {"type": ["string", "null"], "enum": ["green", "yellow", "red", None],
                  "description": "当前环节的红黄绿灯（列表接口返回）"},
        "events": {"type": "array", "items": {"type": "object"}}}},
}
