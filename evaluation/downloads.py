"""Report downloads from the page (the same files as ``hotline report``), and the scorecard API."""
from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from evaluation import views
from evaluation.figures import FIGURES
from evaluation.pages import period_of
from evaluation.ranking import Ranked
from evaluation.report import build_report
from evaluation.routing import OFFICE, VIEWERS, routes
from evaluation.writers import FORMATS, write_report
from hotline.web.blocking import run_blocking
from hotline.web.keys import SERVICES
from hotline.web.requests import json_ok
from hotline.web.security import current_actor, requires
from tracking.actions import NotFound
from tracking.states import Role

SCORECARD_SPEC = {
    "summary": "承办单位考核成绩单（督办考核部门看全部单位，承办单位只看本单位）",
    "operationId": "evaluationScorecard", "tags": ["evaluation"],
    "parameters": [{"name": "period", "in": "query", "required": False, "schema": {"type": "string"},
                    "description": "考核期：2026-10、2026-Q4、2026 或 2026-10-01..2026-10-15；默认上一个自然月"}],
    "responses": {"200": {"description": "各单位各项指标、综合得分、组内排名和环比", "content": {
        "application/json": {"schema": {"type": "object"}}}}, "400": {"description": "考核期无法识别"},
        "401": {"description": "需要登录或API密钥"}, "403": {"description": "无权查看"}},
}


@routes.table.get("/evaluation/report.{format}")
@requires(*OFFICE)
async def download(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    now = services.clock()
    period = period_of(request, now)
    kind = request.match_info["format"]
    if kind not in FORMATS:
        raise NotFound("没有这种报表格式")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"report.{kind}"
        await run_blocking(_write, services, period, now, kind, out)
        body = out.read_bytes()
    filename = f"evaluation-{period.key}.{kind}".replace("..", "_")
    return web.Response(body=body, content_type=FORMATS[kind], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def _write(services, period, now, kind: str, out: Path) -> None:
    report = build_report(services, views.default_rules(), period, now=now)
    write_report(report, services, kind, out)


@routes.api("GET", "/api/v1/evaluation/scorecard", SCORECARD_SPEC)
@requires(*VIEWERS)
async def scorecard_api(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = await current_actor(request)
    now = services.clock()
    period = period_of(request, now)
    ranking = await run_blocking(views.ranking_page, services, views.default_rules(), period, now)
    lines = ranking.lines()
    if actor.role is Role.DEPARTMENT:
        lines = [line for line in lines if line.figures.unit.id == actor.department_id]
    return json_ok({"period": period.key, "label": period.label, "computed_at": now.isoformat(),
                    "departments": [_line_json(line) for line in lines]})


def _line_json(line: Ranked) -> dict:
    unit = line.figures.unit
    return {"department": {"code": unit.code, "name": unit.name, "kind": unit.kind, "tier": unit.tier},
            "group": line.group.label, "rank": line.rank, "ranked_in_group": line.ranked_count,
            "score": line.score, "light": line.light, "previous_score": line.previous_score,
            "score_change": line.score_change, "rank_change": line.rank_change, "note": line.note,
            "figures": {f.name: line.figures.value(f.name) for f in FIGURES},
            "counts": dict(line.figures.counts)}
