"""An httpx transport that opens a fresh connection for every request.

Health checks reach each service once every few minutes, so keep-alive pooling saves nothing,
and httpcore's shared pool costs O(requests x connections) per request (encode/httpx#3215):
a sweep of 1,000 services spends over ten seconds in pool bookkeeping alone. One connection per
request keeps a sweep's cost linear in the number of services.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from registry.probes.network import AsyncioBackend

_DEFAULT_PORTS = {b"http": 80, b"https": 443}

# httpcore's exceptions and the httpx ones callers expect; the most specific class first
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_exceptions(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        for core_class, httpx_class in _EXCEPTIONS:
            if isinstance(error, core_class):
                raise httpx_class(str(error) or type(error).__name__, request=request) from error
        raise


class _ConnectionClosingStream(httpx.AsyncByteStream):
    """The response body; closing it closes the connection it came on."""

    def __init__(self, stream: httpcore.AsyncConnectionInterface, body: object, request: httpx.Request) -> None:
        self._connection = stream
        self._body = body
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_exceptions(self._request):
            async for part in self._body:  # type: ignore[attr-defined]
                yield part

    async def aclose(self) -> None:
        try:
            if hasattr(self._body, "aclose"):
                await self._body.aclose()
        finally:
            await self._connection.aclose()


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    # loading the CA bundle takes ~16 ms: once per container, not once per sweep or test-connection
    return httpx.create_ssl_context()


class SingleUseConnectionTransport(httpx.AsyncBaseTransport):
    """Each request on its own connection, closed with the response."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context or _default_ssl_context()
        self._network = AsyncioBackend()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        port = url.port or _DEFAULT_PORTS.get(url.raw_scheme, 443)
        connection = httpcore.AsyncHTTPConnection(
            origin=httpcore.Origin(url.raw_scheme, url.raw_host, port),
            ssl_context=self._ssl_context,
            network_backend=self._network,
        )
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            with _httpx_exceptions(request):
                response = await connection.handle_async_request(core_request)
        except BaseException:
            await connection.aclose()
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ConnectionClosingStream(connection, response.stream, request),
            extensions=response.extensions,
        )
