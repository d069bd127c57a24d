"""The JSON API: /match, /entities/{id}, /batch, /feedback, /health.

Handlers are plain functions (FastAPI runs them in its thread pool): the encoder and numpy
release the GIL, so a process answers several requests at once on two cores.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from .batch import MAX_UPLOAD_BYTES, score_upload
from .schemas import (
    EntityOut,
    ErrorOut,
    FeedbackOut,
    FeedbackRequest,
    HealthOut,
    MatchRequest,
    RankingOut,
)
from .security import require_same_origin
from .service import (
    Search,
    corpus_sha256,
    entity,
    entity_dict,
    health_dict,
    ranking_dict,
    run_search,
)

router = APIRouter()
ERR = {"model": ErrorOut}
NOT_READY = {503: {**ERR, "description": "The index is still loading (see Retry-After)."}}


def _engine(request: Request):
    return request.app.state.engine


def matcher_dep(request: Request):
    return _engine(request).get()  # NotReady -> 503 (app.py)


Loaded = Annotated[Any, Depends(matcher_dep)]  # the Matcher, once the index has loaded


@router.post("/match", response_model=RankingOut, tags=["match"],
             responses={422: {**ERR, "description": "Bad brief or filter value."}, **NOT_READY})
def match(body: MatchRequest, matcher: Loaded) -> dict:
    """Rank clusters and organisations for a brief: the region answer, how the brief was read,
    the matches with strength, band and evidence (with the need each passage answered), the
    warnings and the verdict ("no good match" when nothing fits well)."""
    search = Search(brief=body.brief, k=body.k, kind=body.kind, regions=tuple(body.regions),
                    org_types=tuple(body.org_types), tags=tuple(body.tags),
                    clusters=tuple(body.clusters), exclude=tuple(body.exclude),
                    explain=body.explain, infer=body.infer, ignore=tuple(body.ignore))
    return ranking_dict(matcher, run_search(matcher, search))


@router.get("/entities/{entity_id}", response_model=EntityOut, tags=["entities"],
            responses={404: {**ERR, "description": "No entity with this id."}, **NOT_READY})
def get_entity(entity_id: str, matcher: Loaded) -> dict:
    """One entity's profile: memberships, capabilities and offers, and its sources with the
    dates they were published and read where the corpus has them."""
    return entity_dict(matcher, entity_id)


@router.post(
    "/batch", tags=["batch"],
    responses={200: {"content": {"application/zip": {}},
                     "description": "A zip of results.csv, rejects.csv and summary.json."},
               413: {**ERR, "description": f"Upload over {MAX_UPLOAD_BYTES:,} bytes."},
               422: {**ERR, "description": "Not a readable table, or a bad filter."},
               **NOT_READY},
    response_class=Response,
)
def batch(
    matcher: Loaded,
    file: Annotated[UploadFile, File(description="CSV, TSV, JSONL, JSON or XLSX; at most "
                                                 f"{MAX_UPLOAD_BYTES:,} bytes.")],
    id_column: Annotated[str | None, Form(max_length=200)] = None,
    text_column: Annotated[list[str] | None, Form(description="Repeatable; default 'text'.")] = None,
    k: Annotated[int, Form(ge=1, le=100)] = 5,
    kind: Annotated[Literal["cluster", "organisation", "all"], Form()] = "all",
    region: Annotated[list[str] | None, Form()] = None,
    org_type: Annotated[list[str] | None, Form()] = None,
    tag: Annotated[list[str] | None, Form()] = None,
    cluster: Annotated[list[str] | None, Form()] = None,
    exclude: Annotated[list[str] | None, Form()] = None,
    layout: Annotated[Literal["long", "wide"], Form()] = "long",
    format_in: Annotated[Literal["auto", "csv", "tsv", "jsonl", "json", "xlsx"],
                         Form(description="auto: from the file name, else the content.")] = "auto",
    infer: Annotated[bool, Form()] = True,
) -> Response:
    """Score an enquiry list with the batch scorer (`matcher batch`). Every row ends in
    exactly one of results.csv (one row per enquiry and rank, or per enquiry with
    layout=wide) and rejects.csv (line, reason, original row); summary.json has the counts,
    which the X-Matcher-Read / -Scored / -Rejected headers repeat."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"the upload is over the limit of {MAX_UPLOAD_BYTES:,} bytes; "
                                 "score larger lists with `matcher batch`")
    filters = Search(brief="-", kind=kind, regions=tuple(region or ()),
                     org_types=tuple(org_type or ()), tags=tuple(tag or ()),
                     clusters=tuple(cluster or ()), exclude=tuple(exclude or ())).filters
    result = score_upload(matcher, data, file.filename or "", id_column=id_column or None,
                          text_columns=tuple(c for c in text_column or () if c), k=k,
                          filters=filters, infer=infer,
                          format_in=None if format_in == "auto" else format_in, layout=layout)
    stem = (file.filename or "enquiries").rsplit(".", 1)[0] or "enquiries"
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    return Response(result.archive, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{safe}.matches.zip"',
        "x-matcher-read": str(result.read), "x-matcher-scored": str(result.scored),
        "x-matcher-rejected": str(result.rejected)})


@router.post("/feedback", response_model=FeedbackOut, status_code=201, tags=["feedback"],
             dependencies=[Depends(require_same_origin)],
             responses={403: {**ERR, "description": "Not from this server's own page."},
                        404: {**ERR, "description": "No entity with this id."},
                        415: {**ERR, "description": "Not sent as application/json."},
                        422: ERR, **NOT_READY})
def feedback(body: FeedbackRequest, request: Request, matcher: Loaded) -> dict:
    """Store a judgement on one match of one brief (useful, not_useful or contacted, with an
    optional note), with the brief's hash, the index's corpus hash and the time.
    `matcher feedback export` turns them into an evaluation set."""
    entity(matcher, body.entity_id)  # 404 for an unknown id
    stored = request.app.state.feedback.record(body.brief, body.entity_id, body.judgement,
                                               corpus_sha256(matcher), body.note)
    return {**asdict(stored), "grade": stored.grade}


@router.get("/health", response_model=HealthOut, tags=["health"],
            responses={503: {"model": HealthOut, "description": "Loading, or failed to load."}})
def health(request: Request):
    """The model, a summary of the index manifest and the uptime; 503 until the index is loaded."""
    body = health_dict(_engine(request))
    if body["status"] != "ok":
        return JSONResponse(body, status_code=503, headers={"retry-after": "5"})
    return body
