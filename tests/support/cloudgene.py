"""A Cloudgene 3 server's job API on loopback, as a contract fake: the answers cloudgene3 gives, in
the order it checks, with its shapes, and handles for a test to move each job through its states.

Faithful to github.com/genepi/cloudgene3 at b396bfd (src/main/java/cloudgene/mapred/...):
- `server/controller/JobController`: `POST /api/v2/jobs/submit/{app}` (multipart), `GET /api/v2/jobs/{id}`
  and `/status`, `GET /api/v2/jobs/{id}/cancel`; every one of them answers 503 `This functionality is
  currently under maintenance.` in maintenance (`blockInMaintenanceMode`), after authentication (401).
- `server/services/JobService.submitJob`: 400 `Only <n> jobs per user can be executed simultaneously.`
  (the running jobs of the user, `Settings.maxRunningJobsPerUser` = 2), then 404 `Application '<app>'
  not found.`, then `JobParameterParser.parse`: an `input-` prefix is dropped, an unknown field is 400
  `Parameter '<x>' not found.`; the answer is `ResponseObject` `{id, message, success}` with an id
  `job-yyyyMMdd-HHmmss-SSS`. `getByIdAndUser`: 404 `Job <id> not found.`, 403 `Access denied.`.
- errors are `MessageWrapper` `{"message", "success": false}` (`JsonHttpStatusException`).
- `server/responses/JobResponse` (with `StepResponse`, `MessageResponse`, `ParameterOutputResponse`,
  `DownloadResponse`): every field a job answer has; no `progress`; `positionInQueue` -1 unless queued.
- `server/controller/DownloadController` and `server/services/DownloadService`: `GET
  /share/results/{hash}/{filename}` is anonymous, 404 `download not found.`, 400 `number of max
  downloads exceeded.` once the count (`CloudgeneJob.MAX_DOWNLOAD`, 10 here) is spent; sizes are
  `FileUtils.byteCountToDisplaySize` text (`workspace/LocalWorkspace.createDownload`).
- `/api/v2/server` and `/server/counters` as in simulated_services.py (`maintenace`, sic).
- `server/controller/AppController.list`: `GET /api/v2/server/apps` (`@Secured(ROLE_ADMIN)`: 401 without a
  valid token, 403 for a user who is not an admin; not blocked in maintenance) answers every installed app
  as `ApplicationResponse` (`id`, `enabled`, `filename`, `name`, `version`, `loaded`, `errorMessage`,
  `changed`, `permission`, `source` (the app's cloudgene.yaml text), `category`, `workflow`, and
  `environment` and `config` null in the list); a reference panel is an app of category `RefPanel`
  whose yaml's `properties` carry `build` and `populations` (imputationserver2's README and tests/data).
The form's fields are imputationserver2's (genepi/imputationserver2 cloudgene.yaml inputs).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import secrets
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.simulated_services import CLOUDGENE_COUNTERS, CLOUDGENE_MAINTENANCE, CLOUDGENE_SERVER

APP = "imputationserver2"
INPUTS = frozenset(
    {"refpanel", "files", "build", "r2Filter", "phasing", "population", "mode", "aesEncryption", "meta", "password"}
    | {"myseparator", "check1", "check2"}
)
RUNNING_STATES = frozenset({1, 2, 3})  # WorkflowEngine.getJobsByUser: the jobs still in the engine
OK, ERROR, WARNING, RUNNING = 0, 1, 2, 3  # Message types
MAX_DOWNLOAD = 10


@dataclass
class FakeJob:
    """One job as the server holds it, and what was submitted for it."""

    id: str
    user: str
    name: str
    params: dict[str, str]
    files: dict[str, bytes]
    state: int = 1
    steps: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    submitted_on: int = 0


class CloudgeneFake:
    """The server's state; tests drive it through the methods below while the adapter calls over HTTP."""

    def __init__(self, tokens: dict[str, str], admins: frozenset[str] = frozenset()) -> None:
        self.tokens = tokens  # token -> user name
        self.admins = admins  # user names with ROLE_ADMIN
        self.apps: list[dict[str, Any]] = [application(APP, "Genotype Imputation (Minimac4)", "2.0.12", workflow=True)]
        self.maintenance = False
        self.max_running_per_user = 2
        self.jobs: dict[str, FakeJob] = {}
        self.downloads: dict[str, dict[str, Any]] = {}  # hash -> DownloadResponse plus its bytes
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers
        self._clock = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        """Where the server is (without `/api/v2`)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> CloudgeneFake:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # what a test does to the jobs, as the server's engine would
    def run(self, job_id: str, *steps: tuple[str, list[tuple[int, str]]]) -> None:
        """The job starts (RUNNING) with these steps and messages."""
        self._set(job_id, 2, steps)

    def fail(self, job_id: str, *steps: tuple[str, list[tuple[int, str]]]) -> None:
        """The job fails (FAILED), e.g. in quality control, with these steps and messages."""
        self._set(job_id, 5, steps)

    def set_state(self, job_id: str, state: int) -> None:
        """The job takes any of AbstractJob's states."""
        with self.lock:
            self.jobs[job_id].state = state

    def complete(
        self, job_id: str, files: dict[str, bytes], *, count: int = MAX_DOWNLOAD, external_workspace: bool = False
    ) -> None:
        """The job succeeds and exports these files as its `output` parameter (CloudgeneJob.exportParameter);
        in an external workspace (S3Workspace) a download redirects to the workspace's public link."""
        downloads = []
        for name, content in sorted(files.items()):
            file_hash = secrets.token_hex(32)
            path = f"s3://workspace/{job_id}/output/{name}" if external_workspace else f"{job_id}/output/{name}"
            entry = {"name": name, "path": path, "hash": file_hash, "count": count}
            downloads.append({**entry, "size": _display_size(len(content)), "parameterId": 0, "user": None})
            self.downloads[file_hash] = {**entry, "content": content}
        output = {"id": 1, "description": "Downloads", "value": f"{job_id}/output", "type": None}
        output |= {"download": True, "name": "output", "tree": [], "job": None, "jobId": job_id}
        output |= {"autoExport": False, "hash": secrets.token_hex(32), "files": downloads}
        self._set(job_id, 4, [("Quality Control and Imputation", [(OK, "Imputation finished.")])], [output])

    def _set(self, job_id: str, state: int, steps: Any, outputs: list[dict[str, Any]] | None = None) -> None:
        with self.lock:
            job = self.jobs[job_id]
            job.state = state
            job.steps = [
                {
                    "id": index + 1,
                    "name": name,
                    "empty": not messages,
                    "logMessages": [
                        {"success": True, "message": text, "type": kind, "time": job.submitted_on + index}
                        for kind, text in messages
                    ],
                }
                for index, (name, messages) in enumerate(steps)
            ]
            job.outputs = outputs or []

    # the server's side
    def submit(self, user: str, app: str, form: list[tuple[str, str, bytes | None]]) -> tuple[int, dict[str, Any]]:
        running = [job for job in self.jobs.values() if job.user == user and job.state in RUNNING_STATES]
        if len(running) >= self.max_running_per_user:
            return 400, _error(f"Only {self.max_running_per_user} jobs per user can be executed simultaneously.")
        if app != APP:
            return 404, _error(f"Application '{app}' not found.")
        params, files = {}, {}
        for name, value, content in form:
            key = name.removeprefix("input-")
            if key != "job-name" and key not in INPUTS:
                return 400, _error(f"Parameter '{key}' not found.")
            if content is not None:
                files[value] = content
            else:
                params[key] = value
        self._clock += timedelta(milliseconds=1)
        job_id = f"job-{self._clock:%Y%m%d-%H%M%S}-{self._clock.microsecond // 1000:03d}"
        name = params.get("job-name") or job_id
        submitted = int(self._clock.timestamp() * 1000)
        self.jobs[job_id] = FakeJob(job_id, user, name, params, files, submitted_on=submitted)
        return 200, {"id": job_id, "message": "Your job was successfully added to the job queue.", "success": True}

    def job_response(self, job: FakeJob) -> dict[str, Any]:
        waiting = [other.id for other in self.jobs.values() if other.state == 1]
        return {
            "application": "Genotype Imputation 2.0.12",
            "applicationId": APP,
            "deletedOn": -1,
            "endTime": 0,
            "id": job.id,
            "name": job.name,
            "logs": "",
            "state": job.state,
            "positionInQueue": waiting.index(job.id) if job.id in waiting else -1,
            "userAgent": "federated-imputation-platform/0.1",
            "startTime": 0,
            "submittedOn": job.submitted_on,
            "username": job.user,
            "currentTime": job.submitted_on,
            "workspaceSize": None,
            "steps": job.steps,
            "outputParams": job.outputs,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gives up mid-request (an upload the adapter abandons) is not the server's error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(fake: CloudgeneFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:  # the client gave up mid-body: no server acts on half a request
                self.close_connection = True
                return
            with fake.lock:
                fake.requests.append((method, self.path, dict(self.headers.items())))
                status, answer = _route(fake, method, self.path, self.headers.get("X-Auth-Token"), self.headers, body)
            payload = answer if isinstance(answer, bytes) else b"" if isinstance(answer, Redirect) else None
            payload = json.dumps(answer).encode() if payload is None else payload
            kind = "application/octet-stream" if isinstance(answer, bytes) else "application/json"
            self.send_response(status)
            if isinstance(answer, Redirect):
                self.send_header("Location", answer.location)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _route(fake: CloudgeneFake, method: str, path: str, token: str | None, headers: Any, body: bytes) -> Any:
    anonymous = {
        "/api/v2/server": CLOUDGENE_MAINTENANCE if fake.maintenance else CLOUDGENE_SERVER,
        "/api/v2/server/counters": CLOUDGENE_COUNTERS,
    }
    if path in anonymous:
        return 200, anonymous[path]
    if shared := re.fullmatch(r"/share/results/([^/]+)/(.+)", path):
        return _share(fake, shared.group(1))
    if (linked := re.fullmatch(r"/workspace/([^/]+)", path)) and linked.group(1) in fake.downloads:
        return 200, fake.downloads[linked.group(1)]["content"]  # the workspace's own store: no counting
    if path.partition("?")[0] == "/api/v2/server/apps" and method == "GET":
        return _apps(fake, token)
    if path.startswith("/api/v2/jobs"):
        return _jobs(fake, method, path, token, headers, body)
    return 404, _error("Page Not Found")


def _jobs(fake: CloudgeneFake, method: str, path: str, token: str | None, headers: Any, body: bytes) -> Any:
    user = fake.tokens.get(token or "")
    if user is None:  # Micronaut security, before the controller
        return 401, b""
    if fake.maintenance:
        return 503, _error("This functionality is currently under maintenance.")
    if method == "POST" and (submit := re.fullmatch(r"/api/v2/jobs/submit/([^/]+)", path)):
        return fake.submit(user, submit.group(1), _form(headers.get("Content-Type", ""), body))
    matched = re.fullmatch(r"/api/v2/jobs/([^/]+)(/status|/cancel)?", path)
    if method != "GET" or matched is None:
        return 404, _error("Page Not Found")
    return _job(fake, user, matched.group(1), cancel=matched.group(2) == "/cancel")


def _apps(fake: CloudgeneFake, token: str | None) -> tuple[int, Any]:
    user = fake.tokens.get(token or "")
    if user is None:  # Micronaut security: no valid token
        return 401, b""
    return (200, fake.apps) if user in fake.admins else (403, b"")


def _share(fake: CloudgeneFake, file_hash: str) -> tuple[int, Any]:
    download = fake.downloads.get(file_hash)
    if download is None:
        return 404, _error("download not found.")
    if download["count"] == 0:
        return 400, _error("number of max downloads exceeded.")
    if download["count"] != -1:
        download["count"] -= 1
    if download.get("path", "").startswith("s3://"):  # IWorkspace.createPublicLink: HttpResponse.redirect, a 301
        return 301, Redirect(f"{fake.base_url}/workspace/{file_hash}")
    return 200, download["content"]


@dataclass(frozen=True)
class Redirect:
    """An answer that sends the client elsewhere."""

    location: str


def _job(fake: CloudgeneFake, user: str, job_id: str, *, cancel: bool) -> tuple[int, Any]:
    job = fake.jobs.get(job_id)
    if job is None:
        return 404, _error(f"Job {job_id} not found.")
    if job.user != user:
        return 403, _error("Access denied.")
    if cancel and job.state in RUNNING_STATES:
        job.state = 6  # AbstractJob.cancel
    return 200, fake.job_response(job)


def _form(content_type: str, body: bytes) -> list[tuple[str, str, bytes | None]]:
    """The multipart form's parts: (field, value or file name, the file's bytes or None)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: list[tuple[str, str, bytes | None]] = []
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        filename = part.get_filename()
        content = bytes(part.get_payload(decode=True))
        parts.append((name, filename, content) if filename is not None else (name, content.decode(), None))
    return parts


def _error(message: str) -> dict[str, Any]:
    return {"message": message, "success": False}


def _display_size(size: int) -> str:
    """Apache commons-io's FileUtils.byteCountToDisplaySize: whole units, rounded down."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def application(
    app_id: str,
    name: str,
    version: str,
    *,
    category: str | None = None,
    source: str = "",
    enabled: bool = True,
    loaded: bool = True,
    workflow: bool = False,
) -> dict[str, Any]:
    """An installed app as `ApplicationResponse.build` answers it in the admin's app list."""
    return {
        "id": app_id, "enabled": enabled, "filename": f"apps/{app_id}/cloudgene.yaml", "name": name,
        "version": version, "loaded": loaded, "errorMessage": "" if loaded else "Application could not be loaded.",
        "changed": False, "permission": "user", "source": source, "category": category, "workflow": workflow,
        "environment": None, "config": None,
    }  # fmt: skip


def reference_panel_app(
    app_id: str, name: str, build: str, populations: list[tuple[str, str, int]], *, enabled: bool = True
) -> dict[str, Any]:
    """A reference panel installed as an app: imputationserver2's panel cloudgene.yaml (its README's
    example), with `populations` as `[{id, name, samples}]`."""
    groups = "".join(
        f'    - id: "{pid}"\n      name: {pname}\n      samples: {samples}\n' for pid, pname, samples in populations
    )
    source = (
        f"name: {name}\ndescription: {name} reference panel\nversion: 2.0.0\n"
        f"website: http://imputationserver.sph.umich.edu\ncategory: RefPanel\nid: {app_id}\n\n"
        f"properties:\n  id: {app_id}\n  build: {build}\n"
        f"  genotypes: ${{CLOUDGENE_APP_LOCATION}}/msavs/chr$chr.msav\n"
        f"  sites: ${{CLOUDGENE_APP_LOCATION}}/sites/chr$chr.sites.gz\n"
        f"  populations:\n{groups}"
    )
    return application(app_id, name, "2.0.0", category="RefPanel", source=source, enabled=enabled)
