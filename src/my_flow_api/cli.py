"""The `my-flow` command: serve, mint local tokens, migrate, and run the demo."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from my_flow_api.config import ConfigError, Settings, get_settings

GC_THRESHOLDS = (15_000, 50, 100)
"""While serving, collect the young generation every 15k net allocations (not 700) and the
older ones rarely: every collection pauses the event loop, and so every running stream, for
as long as it takes to walk the objects of its generations, which grows with the number of
streams. Cyclic garbage waits longer."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="my-flow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (more than 1 needs REDIS_URL)"
    )
    token = sub.add_parser("token", help="mint an access token (local auth mode)")
    token.add_argument("--user", required=True, help="the user id (the token's sub)")
    token.add_argument("--scope", action="append", default=[], help="a scope; repeatable")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    demo = sub.add_parser("demo", help="start the service on the embedded defaults and chat")
    demo.add_argument("--port", type=int, default=0, help="0 picks a free port")
    return parser


@contextmanager
def tuned_collector() -> Iterator[None]:
    """Freeze every object alive now (full collections never scan them again) and collect on
    `GC_THRESHOLDS`; both are given back on exit."""
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _check_workers(workers: int, settings: Settings) -> None:
    """Several processes only work when they share their streams through Redis."""
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    if workers > 1 and settings.REDIS_URL is None:
        raise ConfigError(
            f"--workers {workers} needs REDIS_URL: without Redis each process would only"
            " know its own streams"
        )


def _check_exposure(host: str, settings: Settings) -> None:
    """Local auth lets anyone who reaches the service sign in as anyone: keep it local."""
    from my_flow_api.auth.local_sessions import is_loopback

    if settings.local_auth and not settings.LOCAL_AUTH_ALLOW_REMOTE and not is_loopback(host):
        raise ConfigError(
            f"--host {host} is not a loopback address, and local auth lets anyone who can"
            " reach it sign in as anyone: use Logto (LOGTO_ENDPOINT, LOGTO_RESOURCE), or set"
            " LOCAL_AUTH_ALLOW_REMOTE=true on a trusted network"
        )


def _proxy_options(settings: Settings) -> dict[str, object]:
    """X-Forwarded-For/-Proto are believed only from FORWARDED_ALLOW_IPS (uvicorn would
    believe 127.0.0.1 by default, letting the host itself pose as any address)."""
    allowed = settings.FORWARDED_ALLOW_IPS.strip()
    if not allowed:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": allowed}


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import signal

    import uvicorn

    from my_flow_api.server.http_protocol import HTTP_PROTOCOL

    _check_workers(args.workers, settings)
    _check_exposure(args.host, settings)
    # Uvicorn re-raises SIGTERM once it has shut down; by then streams are drained and
    # connections closed, so a graceful stop exits 0 instead of dying by the signal.
    signal.signal(signal.SIGTERM, lambda *_: None)
    options = {
        "host": args.host,
        "port": args.port,
        "log_config": None,
        "http": HTTP_PROTOCOL,  # httptools, with a cap on a request's headers
        "timeout_graceful_shutdown": 10,
        # The chat WebSocket: a frame over the body limit closes it with 1009 before it is
        # buffered whole (the app checks the same limit); it is pinged as often as an idle
        # SSE stream, so one proxy time-out suits both.
        "ws_max_size": settings.MAX_BODY_BYTES,
        "ws_ping_interval": settings.SSE_PING_SECONDS,
        **_proxy_options(settings),
    }
    if args.reload:  # the server runs in a child process, on the interpreter's defaults
        uvicorn.run("my_flow_api.main:app", reload=True, **options)
        return 0
    if args.workers > 1:  # each worker imports the app (and its own Redis connections)
        uvicorn.run("my_flow_api.main:app", workers=args.workers, **options)
        return 0
    from my_flow_api.main import app  # imported before the freeze, so frozen with the rest

    with tuned_collector():
        uvicorn.run(app, **options)
    return 0


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from my_flow_api.auth.local_keys import mint_local_token

    if not settings.local_auth:
        raise ConfigError("LOGTO_ENDPOINT is set: tokens come from Logto, not from my-flow token")
    if args.ttl < 1:
        raise ConfigError("--ttl must be at least 1 second")
    print(mint_local_token(settings, args.user, scopes=tuple(args.scope), ttl_seconds=args.ttl))
    return 0


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from my_flow_api.repositories.factory import upgrade_database

    if settings.MONGODB_URI:
        print("MONGODB_URI is set: MongoDB needs no migrations (indexes are created at start-up)")
        return 0
    asyncio.run(upgrade_database(settings.database_url))
    print("database schema is at the latest revision")
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from my_flow_api.demo import run_demo

    return asyncio.run(run_demo(settings, port=args.port))


COMMANDS = {"serve": _serve, "token": _token, "db": _db, "demo": _demo}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `my-flow` console script."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, get_settings())
    except ConfigError as exc:
        print(f"my-flow: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
