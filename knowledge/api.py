"""JSON API of the knowledge base: search for the agent console, and one article."""
from __future__ import annotations

from aiohttp import web

from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_ok, query_int
from hotline.web.security import STAFF, requires
from knowledge import openapi_specs as spec
from knowledge.base import KnowledgeBase, SearchHit
from knowledge.routes import routes
from knowledge.search.documents import IndexedArticle
from tracking.actions.errors import InvalidInput, NotFound

MAX_LIMIT = 20


@routes.api("GET", "/api/v1/knowledge/search", spec.SEARCH)
@requires(*STAFF)
async def search(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    query = request.query.get("q", "")
    limit = query_int(request, "limit", 5)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit 须在1至{MAX_LIMIT}之间")
    result = await run_blocking(services.knowledge.search, query, now=services.clock(), limit=limit,
                                service_code=request.query.get("service") or None)
    return json_ok({"query": result.query, "terms": list(result.terms), "took_ms": round(result.took_ms, 2),
                    "items": [hit_json(services.knowledge, h.article, h) for h in result.hits]})


@routes.api("GET", "/api/v1/knowledge/articles/{article_id:\\d+}", spec.READ)
@requires(*STAFF)
async def read(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    article = await run_blocking(services.knowledge.live, int(request.match_info["article_id"]),
                                 now=services.clock())
    if article is None:
        raise NotFound("知识条目不存在、未发布或不在有效期内")
    return json_ok(hit_json(services.knowledge, article, None))


def hit_json(kb: KnowledgeBase, article: IndexedArticle, hit: SearchHit | None) -> dict:
    return {
        "id": article.id, "version": article.version, "question": article.question, "answer": article.answer,
        "snippet": "".join(text for text, _ in hit.snippet) if hit else article.answer[:90],
        "score": round(hit.score, 3) if hit else None, "matched": list(hit.matched) if hit else [],
        "department": {"code": article.department_code, "name": article.department_name},
        "services": [{"code": c, "name": kb.known_services.get(c, c)} for c in article.service_codes],
        "valid_until": article.valid_until.isoformat() if article.valid_until else None,
        "has_guide": article.has_guide, "url": f"/help/articles/{article.id}",
    }
