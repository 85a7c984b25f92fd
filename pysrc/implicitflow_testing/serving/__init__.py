"""Serving an ASGI app on a background thread: the layer the mock and the harness stand on.

    with ServerThread(app) as server:
        server.url  # http://127.0.0.1:PORT
"""

from implicitflow_testing.serving._server_thread import ServerThread

__all__ = ["ServerThread"]
