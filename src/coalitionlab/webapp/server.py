"""The FastAPI application: one page, its static files, and a small JSON API over :class:`AppData`.

Routes (all answer JSON but ``/``, ``/static/*`` and ``/vendor/*``):

* ``GET /`` - the page; ``/vendor/plotly.min.js`` is the installed plotly package's own bundle and
  ``/vendor/offline-geo.js`` keeps plotly.js from asking its CDN for a base map (the app needs no network).
* ``GET /api/info`` - the data directory in use, the states, the mission templates.
* ``GET /api/ranking?lead=&date=`` - embeddedness of every state with the lead (and the map figure).
* ``GET /api/ties?lead=&date=&country=`` - one state's ties with the lead, component by component.
* ``POST /api/forecast`` ``{lead, date, train_until, target}`` - starts a forecast job.
* ``POST /api/plan`` ``{mission, scenarios, seed, time_limit, sensitivity}`` - starts a planning job
  (``mission`` is TOML text).
* ``GET /api/jobs/{id}`` - a job's status, progress, message or result.

Bad input is answered with status 400 and ``{"error": "<one line>"}``; a failed job carries the same
line in ``message``. An unexpected failure is a 500 with a one-line ``error`` (the traceback goes to the
server's log, never to the page). Requests must name the host 127.0.0.1 or localhost (the app binds to
127.0.0.1; a page on another site cannot reach it through a rebound DNS name).
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.middleware.trustedhost import TrustedHostMiddleware

from coalitionlab.errors import CoalitionlabError
from coalitionlab.webapp.jobs import Jobs
from coalitionlab.webapp.payloads import clean, forecast_job, frame_json, plan_job, ranking_payload, ties_payload
from coalitionlab.webapp.service import MAX_MISSION, MAX_TEXT, AppData, error_message, mission_templates, parse_mission

__all__ = ["ALLOWED_HOSTS", "create_app", "plotly_js_path"]

log = logging.getLogger("coalitionlab.webapp")
HERE = Path(__file__).resolve().parent
#: Host names a request may carry (the app listens on 127.0.0.1 only).
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]


def plotly_js_path() -> Path | None:
    """The plotly.js bundle shipped inside the installed ``plotly`` package (None without it): the page
    loads it from the app, never from a CDN."""
    try:
        path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


def _message(exc: BaseException) -> str:
    """The one line a user sees (an unexpected failure's traceback goes to the log)."""
    message = error_message(exc)
    if message.startswith("internal error"):
        log.error("unexpected failure", exc_info=exc)
    return message


# ---------------------------------------------------------------------------------------- request bodies


class ForecastRequest(BaseModel):
    """Body of ``POST /api/forecast``."""

    model_config = ConfigDict(extra="forbid")
    lead: str = Field(max_length=MAX_TEXT)
    date: str = Field(max_length=MAX_TEXT)
    train_until: str | int | None = None
    target: str | None = Field(default=None, max_length=MAX_TEXT)


class PlanRequest(BaseModel):
    """Body of ``POST /api/plan`` (``mission``: TOML text, never a file name)."""

    model_config = ConfigDict(extra="forbid")
    mission: str = Field(max_length=MAX_MISSION)
    scenarios: int = Field(default=100, ge=10, le=1000)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    time_limit: float = Field(default=5.0, gt=0, le=120)
    sensitivity: bool = False


# ---------------------------------------------------------------------------------------- the app


def create_app(data_dir: str | Path | None = None, *, workers: int = 2, job_timeout: float = 600.0,
               processes: bool = True) -> FastAPI:
    """The web app on one data directory (``data_dir``; None: ``$COALITIONLAB_DATA``, then the user data
    directory, resolved now; without the full sources there, the embedded seed).

    Parameters
    ----------
    data_dir
        The only data the app reads.
    workers
        Forecasts and plans computed at once.
    job_timeout
        Seconds after which a forecast or plan still running is reported as failed.
    processes
        Run forecasts and plans in worker processes (the default); False runs them in threads of this
        process, one at a time with the app's other computations.
    """
    data = AppData(data_dir)
    jobs = Jobs(workers=workers, timeout=job_timeout, processes=processes)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    plotly_js = plotly_js_path()

    app = FastAPI(title="coalitionlab", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS)
    app.state.data = data
    app.state.jobs = jobs
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.router.add_event_handler("shutdown", jobs.shutdown)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body") and not isinstance(p, int)) or "request"
        return _error(400, f"invalid {where}: {first.get('msg', 'bad value')}")

    @app.exception_handler(CoalitionlabError)
    async def _known(request: Request, exc: CoalitionlabError) -> JSONResponse:
        return _error(400, _message(exc))

    @app.exception_handler(ValidationError)
    async def _invalid(request: Request, exc: ValidationError) -> JSONResponse:
        return _error(400, _message(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, _message(exc))

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        from coalitionlab import __version__

        return templates.TemplateResponse(request, "index.html", {
            "info": data.describe(), "version": __version__, "templates": list(mission_templates()),
            "have_plotly": plotly_js is not None})

    @app.get("/vendor/plotly.min.js")
    def plotly_bundle() -> FileResponse:
        if plotly_js is None:
            return _error(404, "plotly is not installed: the map cannot be drawn")
        return FileResponse(plotly_js, media_type="application/javascript")

    @app.get("/vendor/offline-geo.js")
    def offline_geo() -> Response:
        try:  # plotly.js would fetch a base-map topology from its CDN; this registers an empty one
            from coalitionlab.reports.figures import OFFLINE_GEO_JS
        except ImportError:
            OFFLINE_GEO_JS = ""  # noqa: N806 - no map in this installation: nothing to register
        return Response(OFFLINE_GEO_JS, media_type="application/javascript")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/api/info")
    def info() -> JSONResponse:
        states = data.states()
        return JSONResponse(clean({**data.describe(), "states": frame_json(states, ["ccode", "country"]),
                                    "missions": mission_templates()}))

    @app.get("/api/ranking")
    def ranking(lead: str = Query(max_length=MAX_TEXT), date: str = Query(max_length=MAX_TEXT)) -> JSONResponse:
        return JSONResponse(ranking_payload(data, lead, date))

    @app.get("/api/ties")
    def ties(lead: str = Query(max_length=MAX_TEXT), date: str = Query(max_length=MAX_TEXT),
             country: str = Query(max_length=MAX_TEXT)) -> JSONResponse:
        return JSONResponse(ties_payload(data, lead, date, country))

    @app.post("/api/forecast")
    def forecast(body: ForecastRequest) -> JSONResponse:
        args = data.check_forecast(body.lead, body.date, train_until=body.train_until, target=body.target)
        key = ("forecast", str(args["lead"]), args["date"], args["train_until"], args["target"])
        job = jobs.submit("forecast", key, forecast_job, str(data.root), args)
        return JSONResponse(_job_json(job), status_code=202)

    @app.post("/api/plan")
    def plan(body: PlanRequest) -> JSONResponse:
        mission = parse_mission(body.mission)
        options = {"n_scenarios": body.scenarios, "seed": body.seed, "time_limit": body.time_limit,
                   "sensitivity": body.sensitivity}
        key = ("plan", mission.model_dump_json(), *options.values())
        job = jobs.submit("plan", key, plan_job, str(data.root), mission.model_dump(mode="json"), options)
        return JSONResponse(_job_json(job), status_code=202)

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> JSONResponse:
        job = jobs.get(job_id) if len(job_id) <= 64 else None
        if job is None:
            return _error(404, f"no such job {job_id[:64]!r} (finished jobs are kept for a while only)")
        return JSONResponse(_job_json(job, with_result=True))

    return app


def _job_json(job: Any, *, with_result: bool = False) -> dict[str, Any]:
    doc = {"job": job.id, "kind": job.kind, "status": job.status, "progress": job.progress,
           "elapsed": round(job.elapsed(), 1), "message": job.message}
    if with_result and job.status == "done":
        doc["result"] = job.result
    return doc
