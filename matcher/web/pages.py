"""The page: a server-rendered search form and results, an entity page, exports and /docs.

The search form is a GET form, so a search works with JavaScript off and its URL reproduces
it; the exports take the same query string.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..errors import QueryError
from ..output import FIELD_LABEL, render_csv, render_markdown
from ..priors import ALL_REGIONS
from ..reading import PARTNER_TYPES
from .engine import NotReady
from .security import docs_csp
from .service import Search, UnknownEntity, entity_dict, run_search
from .view import group_by_cluster, highlight, safe_url, search_url, tiles

router = APIRouter(include_in_schema=False)
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # every value from a brief or the corpus is escaped
    undefined=jinja2.StrictUndefined,
)
_env.globals.update(highlight=highlight, safe_url=safe_url, search_url=search_url,
                    field_label=FIELD_LABEL, partner_label=lambda t: PARTNER_TYPES[t][0])
templates = Jinja2Templates(env=_env)
LIST_FIELDS = {"region": "regions", "org_type": "org_types", "tag": "tags",
               "cluster": "clusters", "exclude": "exclude", "ignore": "ignore"}


def parse_search(request: Request) -> Search | None:
    """The search in the query string, or None when no brief was given."""
    params = request.query_params
    brief = params.get("brief", "")
    if not brief.strip():
        return None
    raw_k = params.get("k", "10") or "10"
    if not raw_k.isdigit() or not 1 <= int(raw_k) <= 100:
        raise QueryError(f"k must be a whole number from 1 to 100 (got '{raw_k}')")
    kind = params.get("kind", "all") or "all"
    lists = {field: tuple(v for v in params.getlist(name) if v.strip())
             for name, field in LIST_FIELDS.items()}
    # The form sends a hidden infer=0 before its checkbox's infer=1: the last value counts.
    infer = (params.getlist("infer") or ["1"])[-1] not in ("0", "off", "false")
    return Search(brief=brief, k=int(raw_k), kind=kind, explain=True, infer=infer, **lists)


def _choices(matcher) -> dict:
    """The values the filters offer, from the index (cached per matcher)."""
    cached = getattr(matcher, "_web_choices", None)
    if cached is None:
        entities = matcher.data.entities
        cached = {
            "regions": ["England", *ALL_REGIONS],
            "org_types": sorted({e.org_type for e in entities if e.org_type}),
            "tags": sorted({t for e in entities for t in e.tags}),
            "clusters": sorted(((e.id, e.name) for e in entities if e.kind == "cluster"),
                               key=lambda pair: pair[1].casefold()),
        }
        matcher._web_choices = cached
    return cached


def _loading(request: Request, error: NotReady) -> HTMLResponse:
    return templates.TemplateResponse(request, "loading.html", {"message": str(error)},
                                      status_code=503, headers={"retry-after": "5"})


@router.get("/", response_class=HTMLResponse)
def index(request: Request):
    try:
        matcher = request.app.state.engine.get()
    except NotReady as exc:
        return _loading(request, exc)
    context = {"search": None, "ranking": None, "error": "", "choices": _choices(matcher),
               "brief": request.query_params.get("brief", "")}
    status = 200
    try:
        search = parse_search(request)
        if search is not None:
            ranking = run_search(matcher, search)
            clusters, organisations = group_by_cluster(ranking)
            context.update(search=search, ranking=ranking, tiles=tiles(ranking, search),
                           clusters=clusters, organisations=organisations,
                           markdown=render_markdown(ranking),
                           needs={a: i for i, a in enumerate(ranking.aspects, 1)},
                           names={e.id: e.name for e in matcher.data.entities})
    except QueryError as exc:
        context["error"], status = str(exc), 422
    return templates.TemplateResponse(request, "index.html", context, status_code=status)


def _export(request: Request, fmt: str) -> Response:
    try:
        matcher = request.app.state.engine.get()
    except NotReady as exc:
        return _loading(request, exc)
    try:
        search = parse_search(request)
        if search is None:
            raise QueryError("give a brief: /export.csv?brief=...")
        ranking = run_search(matcher, search)
    except QueryError as exc:
        return Response(f"Error: {exc}\n", status_code=422, media_type="text/plain")
    if fmt == "csv":
        body, media, name = render_csv(ranking) + "\n", "text/csv", "shortlist.csv"
    else:
        body = f"Brief: {' '.join(ranking.query.split())}\n\n{render_markdown(ranking)}\n"
        media, name = "text/markdown", "shortlist.md"
    return Response(body, media_type=f"{media}; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


@router.get("/export.csv")
def export_csv(request: Request):
    return _export(request, "csv")


@router.get("/export.md")
def export_markdown(request: Request):
    return _export(request, "markdown")


@router.get("/entity/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str):
    try:
        matcher = request.app.state.engine.get()
    except NotReady as exc:
        return _loading(request, exc)
    try:
        profile = entity_dict(matcher, entity_id)
    except UnknownEntity as exc:
        return templates.TemplateResponse(request, "error.html", {"message": str(exc)},
                                          status_code=404)
    back = request.query_params.get("back", "")
    back = back if back.startswith("/?") else ""  # only a link back to this site's search
    return templates.TemplateResponse(request, "entity.html", {"e": profile, "back": back})


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request):
    """Swagger UI from files shipped in the fastapi-offline package: nothing from a CDN."""
    html = get_swagger_ui_html(
        openapi_url="/openapi.json", title="matcher API",
        swagger_js_url="/docs-static/swagger-ui-bundle.js",
        swagger_css_url="/docs-static/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg").body.decode()
    return HTMLResponse(html, headers={"content-security-policy": docs_csp(html)})
