"""``mlsd serve`` (the live preview) and ``mlsd report`` (the self-contained HTML page)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import UserError, main
from .inputs import blueprint_stem, lint_config, load, shown_path
from .terminal import echo

if TYPE_CHECKING:  # pragma: no cover
    import socket


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so that a busy port is a one-line error rather than a server crash."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UserError(f"cannot serve on host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} on {host} is already in use; choose another with --port") from None
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8737,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but a loopback address exposes the blueprint to the network.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Also answer requests whose Host header is NAME (a name the machine is reached by); repeat for "
    "several. The loopback names and, on 0.0.0.0 or ::, the machine's own names are always allowed.",
)
@click.option(
    "--max-streams",
    type=click.IntRange(1, 10_000),
    default=32,
    show_default=True,
    help="Most live-update connections (browser tabs) open at once; more get HTTP 503.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option(
    "--practice",
    "practice",
    metavar="CASE",
    help="Mock interview on practice case CASE: the prompt, a timer per framework step, the scorecard "
    "updating as FILE is saved, the reference revealed when time is up or on request.",
)
def serve(
    file: str,
    port: int,
    host: str,
    allow_hosts: tuple[str, ...],
    max_streams: int,
    open_browser: bool,
    practice: str | None,
) -> None:
    """Serve a live preview of FILE: the diagram, lint findings, score, latency and knock-outs.

    The page updates by itself when FILE is saved; while FILE is invalid it keeps the last
    good diagram and shows the located errors. Ctrl-C stops the server.
    """
    try:
        import uvicorn

        from ..preview.server import create_app, is_loopback
    except ImportError as exc:
        raise UserError(
            f"`mlsd serve` needs the preview extra ({exc.name} is missing): pip install 'mlsd-diagram[preview]'"
        ) from None
    if practice is not None:
        from .inputs import known_case

        known_case(practice)
    folder = os.path.dirname(os.path.abspath(file))
    if not os.path.isdir(folder):
        raise UserError(f"cannot watch {file}: folder {folder} does not exist")
    if not is_loopback(host):
        echo(
            f"mlsd: warning: serving on {host}, not a loopback address: anyone who can reach this machine "
            "can read the blueprint and use the preview (requests must still name this machine in their "
            "Host header; --allow-host adds names)",
            err=True,
        )
    sock = _bind(host, port)
    actual_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{actual_port}/"
    # The app needs the server (to end event streams when it stops), so it is set just below.
    config = uvicorn.Config(
        None,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
    )
    # Until uvicorn installs its own handlers inside server.run, a Ctrl-C or SIGTERM asks the server to stop
    # as soon as it has started. Raised as KeyboardInterrupt there, it could land inside asyncio's start-up
    # and be lost, leaving the server running (tests/preview/test_server.py sends one right after the
    # banner). uvicorn hands back the signals it captured to these handlers when it stops.
    stopped_by: list[int] = []

    class StoppingServer(uvicorn.Server):
        """uvicorn's server, whose stop signals also end a reload still drawing: uvicorn's shutdown waits
        for the lifespan, which waits for the reload's thread, which waited for its `dot` (43 s seen)."""

        def handle_exit(self, sig: int, frame) -> None:  # noqa: ANN001 - signal handler signature
            stopped_by.append(sig)
            super().handle_exit(sig, frame)
            import threading

            from ..outputs.diagram import stop_rendering

            # From a thread: the signal may have interrupted this thread inside the renderer's own lock.
            threading.Thread(target=stop_rendering, name="mlsd-stop-rendering", daemon=True).start()

    server = StoppingServer(config)
    config.app = create_app(
        file, host=host, server=server, allow_hosts=allow_hosts, max_streams=max_streams, practice=practice
    )

    def stop_soon(signum: int, frame: object) -> None:
        stopped_by.append(signum)
        server.should_exit = True

    previous = {signum: signal.signal(signum, stop_soon) for signum in (signal.SIGINT, signal.SIGTERM)}
    echo(f"Serving {file} at {url} (Ctrl-C to stop)")
    if open_browser:
        _open_browser(url)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled: the server has already stopped cleanly
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sock.close()
        from ..outputs.diagram import stop_rendering

        stop_rendering()  # a reload still drawing: its `dot` is killed now, not waited for
    echo("mlsd: preview stopped")
    for signum in (signal.SIGTERM, signal.SIGINT):  # ended by a signal: its status, as other commands report it
        if signum in stopped_by:
            raise SystemExit(128 + signum)


def _open_browser(url: str) -> None:
    """Open ``url`` in a browser half a second from now, or say at once that none can be opened."""
    import threading
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        echo(f"mlsd: note: no browser could be opened here; open {url} yourself", err=True)
        return

    def show() -> None:
        if not browser.open(url):
            echo(f"mlsd: note: the browser did not open; open {url} yourself", err=True)

    threading.Timer(0.5, show).start()


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    help="Where to write the page [default: output/<stem>.report.html, where render and doc write]; "
    "- for standard output.",
)
def report(file: str, output: str | None) -> None:
    """Write FILE's design page as one self-contained HTML file (works offline, no network).

    Knock-outs are precomputed: every single component, and sets of request-path
    components as far as the blueprint is small enough (the page says which).
    """
    from ..outputs.report import render_report

    config = lint_config(file=file)
    blueprint = load(file)
    target = (
        Path(output)
        if output
        else Path("output") / f"{blueprint_stem(file) if file != '-' else 'blueprint'}.report.html"
    )
    if output != "-" and target.is_dir():
        raise UserError(f"{target} is a folder; give a file name with -o")
    from ..outputs.diagram import RenderError
    from ..outputs.files import check_replaceable, write_atomic, write_stdout

    if output != "-":
        check_replaceable(target)  # before the work, not after
    try:
        page = render_report(blueprint, lint_config=config)
    except RenderError as exc:
        raise UserError(str(exc)) from None
    if output == "-":
        write_stdout(page)
        return
    write_atomic(target, page)
    echo(f"{shown_path(os.fspath(target))}: report of {blueprint.name} ({len(blueprint.components)} components)")
