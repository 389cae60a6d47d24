"""OpenAPI operations of the knowledge API (assembled into /openapi.json by the app)."""

ERRORS = {
    "400": {"description": "输入有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "401": {"description": "需要登录或API密钥"},
    "403": {"description": "无权执行"},
    "404": {"description": "知识条目不存在或无权查看"},
}

HIT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "version": {"type": "integer"}, "question": {"type": "string"},
    "answer": {"type": "string"}, "snippet": {"type": "string"}, "score": {"type": ["number", "null"]},
    "matched": {"type": "array", "items": {"type": "string"}},
    "department": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
    "services": {"type": "array", "items": {"type": "object"}},
    "valid_until": {"type": ["string", "null"], "format": "date"}, "has_guide": {"type": "boolean"},
    "url": {"type": "string"}}}

SEARCH = {
    "summary": "检索知识库（已发布且在有效期内的条目）", "operationId": "searchKnowledge", "tags": ["knowledge"],
    "parameters": [
        {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 2000},
         "description": "来电人的问题或诉求内容，中文自然语言即可"},
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 20}},
        {"name": "service", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "只看归入该服务目录编码的条目"},
    ],
    "responses": {"200": {"description": "按相关度排序的条目", "content": {"application/json": {"schema": {
        "type": "object", "properties": {
            "query": {"type": "string"}, "terms": {"type": "array", "items": {"type": "string"}},
            "took_ms": {"type": "number"},
            "items": {"type": "array", "items": HIT}}}}}}, **ERRORS},
}

READ = {
    "summary": "查看一个知识条目的现行版本", "operationId": "readKnowledgeArticle", "tags": ["knowledge"],
    "parameters": [{"name": "article_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "条目", "content": {"application/json": {"schema": HIT}}}, **ERRORS},
}
