"""The ``mlsd serve`` web app: one page, its fixed static assets, and a JSON API for one blueprint.

Routes (nothing from a URL ever reaches the file system):

- ``GET /``                    the page (``index.html`` of :mod:`mlsd_diagram.outputs.page`)
- ``GET /static/<name>``       one of :data:`ASSETS`, read from the package by fixed name
- ``GET /api/state``           ``{version, data_version, errors, data}``: the last good page data and
                               the located errors of the file as it is now
- ``GET /api/events``          Server-Sent Events: ``update`` with the version whenever it changes
- ``GET /api/knockout?components=a,b``  the knock-out view of the last good blueprint
- ``GET /api/practice/reveal``  with ``--practice CASE``: the scorecard with the reference's parts

The file's folder is watched with ``watchfiles``; each change reloads the blueprint in a
worker thread. An invalid file keeps the last good data and reports the errors; nothing a
file contains stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import stat
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from watchfiles import awatch

from ..blueprint.loader import load
from ..diagnostics import BlueprintError
from ..outputs.page import asset_bytes

if TYPE_CHECKING:
    from ..outputs.report import PageData

ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

KEEPALIVE_SECONDS = 15.0
MAX_STREAMS = 32  # open /api/events streams (browser tabs); more get a 503 with a clear message


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SecurityHeaders:
    """ASGI middleware adding the Content-Security-Policy and friends to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                headers = [h for h in message.get("headers", []) if h[0].lower() not in names]
                message = dict(message, headers=headers + SECURITY_HEADERS)
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def machine_names(bound: str) -> list[str]:
    """The Host values a preview bound to ``bound`` answers: the loopback names, the machine's own
    names and addresses (for a wildcard bind), and ``bound`` itself. Anything else is refused, so a
    DNS-rebinding page cannot read the blueprint even when the preview listens on every interface."""
    names = ["127.0.0.1", "localhost", "::1", "[::1]"]
    if bound in ("0.0.0.0", "::", "[::]", ""):
        own = {socket.gethostname(), socket.getfqdn()}
        for name in sorted(own):
            with contextlib.suppress(OSError):
                own.update(str(info[4][0]) for info in socket.getaddrinfo(name, None))
        names += sorted(n for n in own if n)
    elif bound not in names:
        names.append(bound)
    # IPv6 literals arrive in brackets ("[::1]:8737"); accept both spellings.
    names += [f"[{n}]" for n in names if ":" in n and not n.startswith("[")]
    return list(dict.fromkeys(names))


class Preview:
    """The blueprint being previewed: last good page data, current errors, a version counter.

    Listeners wait on :attr:`updated`, an event that is set and replaced on every change. (An
    ``asyncio.Condition`` waited on with a timeout broke for good on Python 3.11 when a client
    left at the wrong moment: "Lock is not acquired", then no update ever again.)
    """

    def __init__(self, path: str, render=None):
        self.path = os.path.abspath(path)
        self.real_path = os.path.realpath(path)
        self.shown_path = path
        self.render = render  # renders page data from a Blueprint; page_data by default
        self.version = 0
        self.data_version = 0
        self.data: dict[str, Any] | None = None
        self.blueprint = None
        self.errors: list[dict[str, Any]] = []
        self.updated = asyncio.Event()
        self.stopping = False
        self._lock = asyncio.Lock()

    def _build(self):
        """Load and build page data (runs in a worker thread). Returns (blueprint, data, errors)."""
        from ..analyses.lint import LintConfigError, load_config
        from ..outputs.diagram import RenderError
        from ..outputs.report import page_data

        refused = self._refuse()
        if refused:
            return None, None, [{"line": 1, "column": 1, "message": refused, "severity": "error"}]
        try:
            blueprint = load(self.shown_path)
            data = self.render(blueprint) if self.render else page_data(blueprint, lint_config=load_config())
        except LintConfigError as exc:  # the project's [tool.mlsd] settings, not the blueprint
            return None, None, [{"line": 1, "column": 1, "message": str(exc), "severity": "error"}]
        except RenderError as exc:  # Graphviz missing, or over its memory or time limit
            return None, None, [{"line": 1, "column": 1, "message": str(exc), "severity": "error"}]
        except BlueprintError as exc:
            return (
                None,
                None,
                [
                    {"line": d.line, "column": d.column, "message": d.message, "severity": d.severity}
                    for d in exc.diagnostics
                ],
            )
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the preview; show it instead
            return (
                None,
                None,
                [
                    {
                        "line": 1,
                        "column": 1,
                        "severity": "error",
                        "message": f"internal error while building the page: {type(exc).__name__}: {exc}",
                    }
                ],
            )
        return blueprint, data, []

    def _refuse(self) -> str | None:
        """Why the file must not be read now: not a regular file (a FIFO would block the reload
        for good), or a link that now leads somewhere else than when the preview started."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None  # load() reports it ("cannot read file")
        if not stat.S_ISREG(info.st_mode):
            return f"{self.shown_path} is not a regular file; the preview reads only regular files"
        if os.path.realpath(self.path) != self.real_path:
            return (
                f"{self.shown_path} now points to another file than when the preview started; "
                "restart `mlsd serve` to preview that file"
            )
        return None

    async def reload(self) -> None:
        """Reload the file; keep the last good data when it is invalid; wake every listener."""
        async with self._lock:
            blueprint, data, errors = await anyio.to_thread.run_sync(self._build)
            if data is not None:
                self.blueprint, self.data = blueprint, data
                self.data_version += 1
            self.errors = errors
            self.version += 1
            woken, self.updated = self.updated, asyncio.Event()
            woken.set()

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "data_version": self.data_version,
            "file": self.shown_path,
            "errors": self.errors,
            "data": self.data,
        }

    async def watch(self, stop: anyio.Event) -> None:
        """Reload whenever the file changes (editors often replace it, so watch its folder)."""
        folder = os.path.dirname(self.path) or "."
        name = os.path.basename(self.path)

        def ours(_change, changed_path: str) -> bool:
            return os.path.basename(changed_path) == name

        async for _changes in awatch(
            folder, watch_filter=ours, stop_event=stop, recursive=False, debounce=400, step=50
        ):
            await self.reload()


def _practice_render(case: str):
    """The page data of a mock interview: the design page's, plus the practice session's."""

    def render(blueprint) -> PageData:
        from ..analyses.lint import load_config
        from ..outputs.report import page_data
        from ..practice.scorecard import mock_interview

        config = load_config()
        data = page_data(blueprint, lint_config=config)
        data["practice"] = mock_interview(blueprint, case, config=config)
        return data

    return render


class _CountedStream(StreamingResponse):
    """A streaming response that calls ``release`` once when it ends, however it ends (its body
    finished, the client left, the server stopped, or the body never started)."""

    def __init__(self, content, release, **kwargs) -> None:  # noqa: ANN001 - as StreamingResponse
        super().__init__(content, **kwargs)
        self._release = release

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - the ASGI signature
        try:
            await super().__call__(scope, receive, send)
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


def create_app(
    path: str,
    *,
    host: str = "127.0.0.1",
    render=None,
    server=None,
    allow_hosts: tuple[str, ...] = (),
    max_streams: int = MAX_STREAMS,
    practice: str | None = None,
) -> Starlette:
    """The preview app for the blueprint at ``path``.

    ``host`` is the address served on: only ``Host`` headers naming the loopback, that address,
    the machine's own names (on a wildcard bind, see :func:`machine_names`) or one of
    ``allow_hosts`` are accepted (a guard against DNS rebinding). At most ``max_streams``
    event streams are open at once. ``render`` replaces
    :func:`~mlsd_diagram.outputs.report.page_data`. ``server`` (a uvicorn Server) lets open
    event streams end when it is asked to stop. ``practice`` names a practice case: the page
    becomes a mock interview (:func:`~mlsd_diagram.practice.scorecard.mock_interview` in its data,
    the reference revealed by ``GET /api/practice/reveal``).
    """
    if practice is not None and render is None:
        render = _practice_render(practice)
    preview = Preview(path, render)
    pages = {name: asset_bytes(name) for name in ASSETS}
    index = asset_bytes("index.html")

    def stopping() -> bool:
        return preview.stopping or bool(server is not None and server.should_exit)

    async def homepage(_request: Request) -> Response:
        return Response(index, media_type="text/html; charset=utf-8", headers={"cache-control": "no-store"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(pages[name], media_type=ASSETS[name], headers={"cache-control": "no-cache"})

    async def state(_request: Request) -> Response:
        return JSONResponse(preview.snapshot(), headers={"cache-control": "no-store"})

    async def knockout(request: Request) -> Response:
        from ..outputs.report import knock_out_view

        if preview.blueprint is None:
            return JSONResponse({"error": "the blueprint has not loaded yet"}, status_code=409)
        raw = request.query_params.get("components", "")
        ids = [part for part in raw.split(",") if part]
        if len(ids) > len(preview.blueprint.components):
            return JSONResponse({"error": "too many components"}, status_code=400)
        blueprint = preview.blueprint
        try:
            view = await anyio.to_thread.run_sync(lambda: knock_out_view(blueprint, ids))
        except KeyError as exc:
            return JSONResponse({"error": str(exc.args[0]) if exc.args else "unknown component"}, status_code=400)
        return JSONResponse(view, headers={"cache-control": "no-store"})

    async def reveal(_request: Request) -> Response:
        from ..analyses.lint import load_config
        from ..practice.scorecard import grade

        if practice is None:
            return JSONResponse({"error": "not a practice session (mlsd serve --practice CASE)"}, status_code=404)
        if preview.blueprint is None:
            return JSONResponse({"error": "the blueprint has not loaded yet"}, status_code=409)
        blueprint = preview.blueprint
        card = await anyio.to_thread.run_sync(lambda: grade(blueprint, practice, config=load_config(), reveal=True))
        return JSONResponse(card.to_dict(), headers={"cache-control": "no-store"})

    open_streams = 0

    def release() -> None:
        nonlocal open_streams
        open_streams -= 1

    async def events(request: Request) -> Response:
        nonlocal open_streams
        # Counted here, with no await between the check and the count (counted once its body began to
        # stream, a burst of 200 requests all passed the check first: 88 open against 32).
        if open_streams >= max_streams:
            return Response(
                f"too many open event streams ({max_streams}); close some preview tabs and reload\n",
                status_code=503,
                media_type="text/plain; charset=utf-8",
                headers={"retry-after": "5", "cache-control": "no-store"},
            )
        open_streams += 1

        async def stream() -> AsyncIterator[str]:
            loop = asyncio.get_running_loop()
            seen, last_sent = preview.version, loop.time()
            yield f"retry: 1000\nevent: update\ndata: {seen}\n\n"
            while not stopping():
                if preview.version == seen:
                    with contextlib.suppress(asyncio.TimeoutError):
                        # Short waits, so that a stopping server ends the stream promptly.
                        await asyncio.wait_for(preview.updated.wait(), timeout=0.5)
                if await request.is_disconnected():
                    return
                if preview.version != seen:
                    seen, last_sent = preview.version, loop.time()
                    yield f"event: update\ndata: {seen}\n\n"
                elif loop.time() - last_sent > KEEPALIVE_SECONDS:
                    last_sent = loop.time()
                    yield ": keep-alive\n\n"

        return _CountedStream(
            stream(),
            release,
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        stop = anyio.Event()
        await preview.reload()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(preview.watch, stop)
            try:
                yield
            finally:
                preview.stopping = True
                stop.set()

    allowed = [*machine_names(host), *allow_hosts]
    app = Starlette(
        routes=[
            Route("/", homepage),
            Route("/static/{name}", static),
            Route("/api/state", state),
            Route("/api/events", events),
            Route("/api/knockout", knockout),
            Route("/api/practice/reveal", reveal),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(TrustedHostMiddleware, allowed_hosts=allowed)],
        lifespan=lifespan,
    )
    app.state.preview = preview
    return app
