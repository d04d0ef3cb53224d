"""Real HTTP servers on loopback that behave like the external services, well or badly.

The first path segment picks the behaviour, so one server stands in for any number of services:

    /cloudgene/<n>/api/v2/server        a Cloudgene 3 server (and /api/v2/server/counters)
    /maintenance/<n>/api/v2/server      a Cloudgene server in maintenance mode
    /wes/<n>/ga4gh/wes/v1/service-info  a WES 1.1 node
    /wes-noprefix/<n>/service-info      a WES node without the /ga4gh/wes/v1 prefix (like sapporo)
    /garbage/<n>/...                    200 with an HTML error page instead of JSON
    /not-wes/<n>/...                    200 with JSON that is neither Cloudgene nor WES
    /error/<n>/...                      503
    /flaky/<n>/api/v2/server            503 until `recover(n)` is called, then a Cloudgene server
    /huge/<n>/...                       an endless JSON body
    /hang/<n>/...                       accepts the connection, never answers

The Cloudgene answers have the shapes cloudgene3 sends (github.com/genepi/cloudgene3 at b396bfd):
`GET /api/v2/server` is `ServerService.getRoot` (src/main/java/cloudgene/mapred/server/services/
ServerService.java) for an anonymous caller, maintenance flag misspelt `maintenace` as the server
spells it; `GET /api/v2/server/counters` is `CounterResponse` (src/main/java/cloudgene/mapred/server/
responses/CounterResponse.java, built in ServerController.counters): completed-job counters, the
queue's size and the number of users. Cloudgene 2 (genepi/cloudgene, api/v2/server/Server.java and
GetCounter.java) sends the same keys.

Every answer is delayed by `delay` seconds. Run `python -m tests.support.simulated_services --port N
--delay 0.2` for a separate process (the benchmark does), or use `SimulatedServices` in a thread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import ssl
import threading

CLOUDGENE_SERVER = {
    "name": "Simulated Imputation Server",
    "background": "#343a40",
    "foreground": "#ffffff",
    "footer": "",
    "emailRequired": True,
    "userEmailDescription": "",
    "userWithoutEmailDescription": "",
    "oauth": [],
    "apps": [],
    "loggedIn": False,
    "navigation": [{"id": "help", "name": "Help", "link": "http://docs.cloudgene.io", "items": None}],
    "maintenace": False,
}
CLOUDGENE_MAINTENANCE = {**CLOUDGENE_SERVER, "maintenace": True, "maintenaceMessage": "Upgrading the cluster"}
CLOUDGENE_COUNTERS = {"complete": {"samples": 52040, "runs": 120}, "queue": {"size": 7}, "users": 311}
WES_SERVICE_INFO = {
    "id": "org.example.simulated-wes",
    "name": "Simulated WES",
    "type": {"group": "org.ga4gh", "artifact": "wes", "version": "1.1.0"},
    "organization": {"name": "Example", "url": "https://example.org"},
    "version": "1.1.0",
    "supported_wes_versions": ["1.0.0", "1.1.0"],
    "supported_filesystem_protocols": ["http", "https"],
    "workflow_type_versions": {"CWL": {"workflow_type_version": ["v1.2"]}},
    "workflow_engine_versions": {"cwltool": {"workflow_engine_version": ["3.1"]}},
    "default_workflow_engine_parameters": [],
    "system_state_counts": {"RUNNING": 2, "QUEUED": 1},
    "auth_instructions_url": "https://example.org/auth",
    "tags": {},
}


def _route(kind: str, rest: str, recovered: bool = False) -> tuple[int, str, bytes] | None:
    document: object
    if kind == "flaky" and recovered:
        kind = "cloudgene"
    if kind == "cloudgene":
        if rest.endswith("/api/v2/server/counters"):
            document = CLOUDGENE_COUNTERS
        elif rest.endswith("/api/v2/server"):
            document = CLOUDGENE_SERVER
        else:
            return None
    elif kind == "maintenance" and rest.endswith("/api/v2/server"):
        document = CLOUDGENE_MAINTENANCE
    elif kind == "wes" and rest.endswith("/ga4gh/wes/v1/service-info"):
        document = WES_SERVICE_INFO
    elif kind == "wes-noprefix" and rest.endswith("/service-info") and "/ga4gh/wes/v1" not in rest:
        document = {**WES_SERVICE_INFO, "supported_wes_versions": ["sapporo-wes-2.1.0"]}
    elif kind == "garbage":
        return 200, "text/html", b"<html><body>502 Bad Gateway</body></html>"
    elif kind == "not-wes":
        document = {"status": "ok"}
    elif kind in ("error", "flaky"):
        return 503, "application/json", b'{"message": "Service Unavailable"}'
    else:
        return None
    return 200, "application/json", json.dumps(document).encode()


class SimulatedServices:
    """An asyncio HTTP server answering for many simulated services at once."""

    def __init__(
        self, delay: float = 0.0, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        self.delay = delay
        self.tls = tls
        self.host = host
        self.port = port
        self.recovered: set[str] = set()
        self._server: asyncio.AbstractServer | None = None

    def recover(self, name: str | int) -> None:
        """Let the flaky service of this name answer as a healthy Cloudgene server from now on."""
        self.recovered.add(str(name))

    def url(self, kind: str, name: str | int = 0) -> str:
        """The base URL of one simulated service."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}/{kind}/{name}"

    async def serve(self) -> None:
        """Listen until cancelled."""
        self._server = await asyncio.start_server(self._handle, self.host, self.port, backlog=4096, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        async with self._server:
            await self._server.serve_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await reader.readline()
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.decode("latin-1").split()
            path = parts[1] if len(parts) > 1 else "/"
            segments = path.split("/", 3)
            kind = segments[1] if len(segments) > 1 else ""
            name = segments[2] if len(segments) > 2 else ""
            if kind == "hang":
                await asyncio.Event().wait()
            await asyncio.sleep(self.delay)
            if kind == "huge":
                await self._stream_forever(writer)
                return
            answer = _route(kind, path, name in self.recovered) or (
                404,
                "application/json",
                b'{"msg": "not found", "status_code": 404}',
            )
            status, content_type, body = answer
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _stream_forever(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b'"' + b"x" * 65536 + b'",'
        while True:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
            await asyncio.sleep(0)


class SimulatedServicesThread:
    """`SimulatedServices` on its own event loop in a daemon thread, for tests."""

    def __init__(self, delay: float = 0.0, tls: ssl.SSLContext | None = None) -> None:
        self.services = SimulatedServices(delay=delay, tls=tls)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._task = self._loop.create_task(self.services.serve())
        self._loop.call_soon(self._wait_until_listening)
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self._task)

    def _wait_until_listening(self) -> None:
        if self.services.port:
            self._ready.set()
        else:
            self._loop.call_later(0.01, self._wait_until_listening)

    def start(self) -> SimulatedServices:
        """Start serving; answer the running server."""
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the simulated services did not start")
        return self.services

    def stop(self) -> None:
        """Stop serving and close every hanging connection."""
        self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(10)


def main() -> None:
    """Serve simulated services in this process until interrupted; print the port first."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.2)
    arguments = parser.parse_args()
    services = SimulatedServices(delay=arguments.delay, port=arguments.port)

    async def run() -> None:
        serving = asyncio.create_task(services.serve())
        while not services.port:
            await asyncio.sleep(0.01)
        print(services.port, flush=True)  # noqa: T201 - the parent process reads the port here
        await serving

    asyncio.run(run())


if __name__ == "__main__":
    main()
