"""Serve the app with waitress, the production WSGI server."""

from __future__ import annotations

import logging

import waitress
from flask import Flask


def make_server(app: Flask, host: str, port: int, threads: int):
    """Return a bound, not yet running waitress server; port 0 picks a free port (see .effective_port)."""
    return waitress.create_server(app, host=host, port=port, threads=threads, ident="chaja")


def serve(app: Flask, host: str, port: int, threads: int) -> None:
    """Serve app on host:port with a pool of threads until interrupted."""
    logging.basicConfig()  # so waitress's own messages show; a no-op if logging is set up already
    server = make_server(app, host, port, threads)
    server.print_listen("chaja: serving on http://{}:{}/")
    server.run()


def stop(server) -> None:
    """Stop a server from make_server whose run() is in another thread; run() then returns.

    The sockets are closed by a callback inside the server's own loop: closing them from
    another thread races with the loop's select() and fails with EBADF.
    """
    def close_all() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_all)
