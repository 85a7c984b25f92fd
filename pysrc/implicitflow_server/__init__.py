"""implicitflow_server: a single-page app's files and its same-origin GetResponse API proxy,
as one ASGI app to deploy, mount in a Starlette or FastAPI app, or run with `implicitflow serve`.

    from implicitflow_server import server_app
    app = server_app("public", api_path="/api/getresponse")
    # uvicorn module:app --http implicitflow_server:OneWriteHttpToolsProtocol  (one write an answer)
"""

from ._api_proxy import GETRESPONSE_API, MAX_APIS, ApiProxy
from ._app import SECURITY_HEADERS, ServerApp, server_app
from ._hosts import LOOPBACK_HOSTS, HostAllowList, host_name
from ._one_write import OneWriteHttpToolsProtocol
from ._static_files import HASHED_NAME, PrecompressedFiles

__all__ = ["GETRESPONSE_API", "HASHED_NAME", "LOOPBACK_HOSTS", "MAX_APIS", "SECURITY_HEADERS",
           "ApiProxy", "HostAllowList", "OneWriteHttpToolsProtocol", "PrecompressedFiles",
           "ServerApp", "host_name", "server_app"]
