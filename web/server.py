"""Serve the app with gunicorn: one master process and N worker processes, each with its own Engine."""

from __future__ import annotations

import errno
import gc
import logging
import os
import socket
import sys

from gunicorn.app.base import BaseApplication

from chaja.index.store import IndexUnavailable

TIMEOUT = 30  # seconds a worker may stay silent (one request, or its start) before the master replaces it
GRACEFUL_TIMEOUT = 10  # seconds SIGTERM leaves running requests to finish
# the worker's pid (%(p)s) tells which process answered; %(L)s is the request's seconds
# A search makes a few thousand short-lived objects and caches some: collecting the youngest
# generation every 700 allocations, Python's default, cost /api/search under 8 clients 12% of its
# throughput (271 -> 310 requests/s on 60,000 articles) and Engine.search 6% of its p95.
GC_THRESHOLDS = (20_000, 20, 50)
LIMIT_REQUEST_LINE = 8190  # bytes of "GET /?q=... HTTP/1.1"
LIMIT_REQUEST_FIELDS = 50  # headers a request may send
LIMIT_REQUEST_FIELD_SIZE = 8190  # bytes of one header line
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss worker %(p)s'


class Server(BaseApplication):
    """`chaja serve` as a gunicorn application, loaded once in the master before it forks the workers.

    The master loads Kiwi and maps the index's arrays, so every worker shares the model's pages
    (copy-on-write) and the arrays' pages instead of loading its own. That Kiwi has no worker
    threads (they would not survive the fork): a query is analysed in the thread that serves it.
    Whoosh's files are opened only by each worker's searchers, after the fork.
    """

    def __init__(self, index: str, options: dict):
        self.index = index
        self.options = options
        super().__init__(prog="chaja serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from chaja.index import analysis

        from . import create_app

        analysis.set_workers(0)
        app = create_app({"INDEX": self.index})
        try:
            app.extensions["chaja"].generation  # open the index and load Kiwi now, not in the first request
        except IndexUnavailable as e:  # answered with 503 until an index appears
            logging.getLogger("gunicorn.error").error("index unavailable: %s", e)
        tune_gc()
        return app


def worker_exit(arbiter, worker) -> None:
    """End a worker without tearing down what it inherited from the master (gunicorn's worker_exit hook).

    Freeing the preloaded Kiwi and app object by object in each worker writes to pages it shares
    with the master, copying them first: seconds per worker on SIGTERM. The exit status is the one
    the worker was leaving with.
    """
    leaving = sys.exc_info()[1]
    code = leaving.code if isinstance(leaving, SystemExit) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 1)


def tune_gc() -> None:
    """Set this process's garbage collector for serving searches, once the index and Kiwi are loaded.

    What is loaded by then lives as long as the process, so it is frozen out of the collector's
    passes, and the youngest generation is collected less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def options(host: str, port: int, workers: int, threads: int, access_log: str | None) -> dict:
    """Return the gunicorn settings of `chaja serve`."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "sync" if threads == 1 else "gthread",
        "timeout": TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "chaja",
        "worker_exit": worker_exit,
        "preload_app": True,  # Server.load runs in the master: Kiwi and the arrays are shared by the workers
        # Bounded request lines and headers: 0 would mean unlimited with gunicorn's own parser. 8190 bytes,
        # gunicorn's largest fixed bound, hold a query of about 900 Hangul characters percent-encoded; a longer
        # address is refused with 400 before any work is done for it.
        "limit_request_line": LIMIT_REQUEST_LINE,
        "limit_request_fields": LIMIT_REQUEST_FIELDS,
        "limit_request_field_size": LIMIT_REQUEST_FIELD_SIZE,
        # gunicorn's control socket is one path per user: two servers would fight over it
        "control_socket_disable": True,
    }


def can_listen(host: str, port: int) -> str | None:
    """Return why the server could not listen on host:port, or None if it can (checked by binding it once)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        return f"unknown host ({e.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            s.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return "the port is in use (another server?); choose another with --port"
            if e.errno == errno.EACCES:
                return "not allowed to use this port; choose one above 1023 with --port"
            return f"{e.strerror}; check --host and --port"
    return None


def serve(index: str, host: str, port: int, workers: int, threads: int, access_log: str | None = None) -> None:
    """Serve the index on host:port with worker processes until SIGTERM or SIGINT; exit 0 then.

    The master leaves without freeing the preloaded Kiwi and index object by object (seconds, for
    nothing, as the process ends anyway), with the status gunicorn exits with.
    """
    try:
        Server(index, options(host, port, workers, threads, access_log)).run()
    except SystemExit as leaving:
        code = 0 if leaving.code is None else leaving.code
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)
