"""OpenAPI operations of the telephony API (assembled into /openapi.json by the app)."""

_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
ERRORS = {
    "400": {"description": "输入有误（如账号未绑定坐席分机）", "content": _ERROR},
    "401": {"description": "需要登录或API密钥"},
    "403": {"description": "无权执行"},
    "404": {"description": "工单不存在或无权查看", "content": _ERROR},
    "409": {"description": "当前没有可操作的通话", "content": _ERROR},
    "502": {"description": "电话系统拒绝了请求", "content": _ERROR},
    "503": {"description": "电话系统暂不可用", "content": _ERROR},
}
TAGS = ["telephony"]
NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}, "description": "工单编号"}


def _json(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"content": {"application/json": {"schema": schema}}}


_STATE = _json({"interface": {"type": "string", "nullable": True}, "paused": {"type": "boolean"},
                "reason": {"type": "string", "nullable": True},
                "since": {"type": "string", "format": "date-time", "nullable": True}})
_PLACED = _json({"action_id": {"type": "string"}, "dialled": {
    "type": "boolean", "description": "false when no PBX is configured (nothing was dialled)"}})

AGENT = {"summary": "坐席状态：绑定分机、是否小休", "operationId": "readAgentState", "tags": TAGS,
         "responses": {"200": {"description": "坐席状态（另含 telephony 连接状态与 control 类型）", **_STATE},
                       **ERRORS}}
PAUSE = {"summary": "小休（示忙）：暂停在话务队列中接听", "operationId": "pauseAgent", "tags": TAGS,
         "requestBody": {"required": False, **_json({"reason": {"type": "string", "maxLength": 40}})},
         "responses": {"200": {"description": "小休中", **_STATE}, **ERRORS}}
UNPAUSE = {"summary": "结束小休（示闲）", "operationId": "unpauseAgent", "tags": TAGS,
           "responses": {"200": {"description": "已恢复接听", **_STATE}, **ERRORS}}
CALLBACK = {"summary": "回访外呼：先呼市民，接通后转到本坐席分机，并记入工单", "operationId": "callBackTicket",
            "tags": TAGS, "parameters": [NUMBER],
            "responses": {"202": {"description": "已发起外呼，结果随后记入工单", **_PLACED}, **ERRORS}}
TRANSFER = {"summary": "将当前来电转接至承办单位专家热线，并记入工单", "operationId": "transferCall",
            "tags": TAGS, "parameters": [NUMBER],
            "requestBody": {"required": True, **_json({
                "department": {"type": "string", "description": "承办单位代码"},
                "mode": {"type": "string", "enum": ["blind", "attended"], "default": "blind"},
                "call": {"type": "string", "description": "来电编号（Linkedid），默认为本坐席当前通话"}},
                ["department"])},
            "responses": {"202": {"description": "已转接", **_json({
                "linkedid": {"type": "string"}, "department": {"type": "string"},
                "expert_line": {"type": "string"}, "mode": {"type": "string"}, "dialled": {"type": "boolean"}})},
                **ERRORS}}
MISSED_CALLBACK = {"summary": "漏话回拨：回拨近7天未接来电的号码", "operationId": "callBackMissed", "tags": TAGS,
                   "requestBody": {"required": True, **_json({"number": {"type": "string"}}, ["number"])},
                   "responses": {"202": {"description": "已发起外呼", **_PLACED}, **ERRORS}}
LINK = {"summary": "将来电关联到工单（受理时）", "operationId": "linkCall", "tags": TAGS,
        "parameters": [{"name": "linkedid", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, **_json({"ticket": {"type": "string"}}, ["ticket"])},
        "responses": {"200": {"description": "linked 为 false 时该来电已关联其他工单", **_json({
            "linkedid": {"type": "string"}, "ticket": {"type": "string"}, "linked": {"type": "boolean"}})},
            **ERRORS}}

_FIGURES = {"type": "object", "properties": {name: {"type": kind} for name, kind in [
    ("offered", "integer"), ("answered", "integer"), ("abandoned", "integer"), ("unanswered", "integer"),
    ("answered_in_time", "integer"), ("answered_share", "number"), ("answered_in_time_share", "number"),
    ("average_wait_seconds", "number"), ("average_talk_seconds", "number")]}}
FIGURES = {
    "summary": "话务统计：呼入量、接通、放弃、15秒接通率、平均等待与通话时长、漏话、Erlang C 排班估算",
    "operationId": "callFigures", "tags": TAGS,
    "parameters": [
        {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "起始日期（含），默认7天前"},
        {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
         "description": "截止日期（含），默认今天；也可为带时区的时刻（不含）"}],
    "responses": {"200": {"description": "统计结果", **_json({
        "from": {"type": "string"}, "to": {"type": "string"}, "totals": _FIGURES,
        "per_day": {"type": "array", "items": _FIGURES}, "per_hour": {"type": "array", "items": _FIGURES},
        "hour_of_day": {"type": "array", "items": _FIGURES},
        "missed": {"type": "array", "items": {"type": "object"}},
        "staffing": {"type": "object", "description": "目标服务水平 → 各小时所需坐席数"}})}, **ERRORS}}
