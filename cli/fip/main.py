"""The `fip` commands (click): each calls the platform's API and prints its answer as a table, or as
the API's own JSON with `--json`. Problems the API reports are shown as their `detail`, exit status 1."""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fip.api import Api
from fip.config import Settings
from fip.errors import CliError
from fip.jobs import EXIT_STATUS, TIMED_OUT, copied_outputs, download_file, wait_for
from fip.output import job_progress, say, show_error, show_json, show_table, transfer_progress
from fip.uploads import LocalFile, Uploader

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
BUILDS = click.Choice(["hg19", "hg38"])
SERVICE_COLUMNS = [
    ("id", "ID"),
    ("slug", "SLUG"),
    ("name", "NAME"),
    ("api_type", "API"),
    ("health.status", "HEALTH"),
    ("is_active", "ACTIVE"),
    ("supported_builds", "BUILDS"),
]
PANEL_COLUMNS = [
    ("id", "ID"),
    ("service_id", "SERVICE"),
    ("slug", "SLUG"),
    ("display_name", "NAME"),
    ("build", "BUILD"),
    ("populations", "POPULATIONS"),
    ("is_available", "AVAILABLE"),
]
FILE_COLUMNS = [
    ("id", "ID"),
    ("filename", "NAME"),
    ("status", "STATUS"),
    ("kind", "KIND"),
    ("size_bytes", "BYTES"),
    ("summary.samples", "SAMPLES"),
    ("expires_at", "EXPIRES"),
]
JOB_COLUMNS = [
    ("id", "ID"),
    ("name", "NAME"),
    ("status", "STATUS"),
    ("progress", "%"),
    ("service.name", "SERVICE"),
    ("created_at", "CREATED"),
]
LIMIT = click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
FILE_SETTLED = ("valid", "invalid", "stored")
VALIDATION_TIMEOUT = 3600.0  # a large file's validation takes minutes
OUTPUTS_INTERVAL_SECONDS = 5.0  # a completed job's results are copied in at the poll that saw it complete


def as_json(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--json` on a command: the API's JSON on standard output instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print the API's JSON (for scripts).")(command)


class Commands(click.Group):
    """`fip`'s commands: a `CliError` of any of them (an API problem's detail, an unreachable platform)
    is reported here, on standard error, with its exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CliError as error:
            show_error(str(error))
            raise SystemExit(error.exit_code) from None


def api() -> Api:
    """The API as configured (environment over config file), as a signed-in user."""
    return Api(Settings.load())


def show_pages(
    path: str, params: dict[str, Any], limit: int, as_json: bool, columns: list[tuple[str, str]], empty: str
) -> None:
    """Up to `limit` items of a paged list, as the API's JSON or a table."""
    with api() as platform:
        page = platform.pages(path, params, limit)
    show_json(page) if as_json else show_table(page["items"], columns, empty)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="federated-imputation-platform", prog_name="fip")
def cli() -> None:
    """The Federated Imputation Platform from the command line.

    Configured by FIP_API_URL and FIP_TOKEN (a personal API token), or by `fip login`, which keeps
    the platform's URL and your session in a config file only you may read (FIP_CONFIG names it)."""


@cli.command()
@click.option("--api-url", help="The platform's API, e.g. https://api.example.org (kept for next time).")
@click.option("--email", prompt=True, help="Your account's email address.")
@click.option("--password", prompt=True, hide_input=True, envvar="FIP_PASSWORD", help="Asked for when not given.")
@click.option("--code", help="The authenticator app's 6-digit code, if your account asks for one.")
@as_json
def login(api_url: str | None, email: str, password: str, code: str | None, as_json: bool) -> None:
    """Sign in (with the second factor where your account has one) and keep the session."""
    settings = Settings.load()
    settings.api_url = api_url or settings.api_url
    with Api(settings, need_token=False) as platform:
        answer = platform.call(
            "POST", "/auth/sign-in", body={"email": email, "password": password}, authenticated=False
        )
        if answer.get("challenge") == "SOFTWARE_TOKEN_MFA":
            code = code or click.prompt("Authenticator code")
            answer = platform.call(
                "POST",
                "/auth/sign-in/mfa",
                body={"email": email, "session": answer["session"], "code": code},
                authenticated=False,
            )
        elif answer.get("challenge"):
            raise CliError(f"{answer.get('message') or answer['challenge']}: finish signing in on the web console")
    path = settings.save(
        api_url=settings.api_url, token=answer["access_token"], refresh_token=answer.get("refresh_token"), email=email
    )
    if as_json:
        show_json(
            {"email": email, "api_url": settings.api_url, "config": str(path), "expires_in": answer.get("expires_in")}
        )
    else:
        say(f"Signed in as {email}; session kept in {path}")


@cli.group()
def token() -> None:
    """Personal API tokens, for pipelines."""


@token.command("create")
@click.option("--name", required=True, help="What the token is for, e.g. the pipeline's name.")
@click.option(
    "--expires-in-days", type=click.IntRange(1, 3650), help="Its lifetime (the platform's default otherwise)."
)
@click.option("--save", is_flag=True, help="Use it from now on instead of the session (kept in the config file).")
@as_json
def token_create(name: str, expires_in_days: int | None, save: bool, as_json: bool) -> None:
    """Make a personal API token (needs a signed-in session); it is shown once."""
    with api() as platform:
        created = platform.call("POST", "/me/api-tokens", body={"name": name, "expires_in_days": expires_in_days})
        if save:
            platform.settings.save(token=created["token"], refresh_token=None)
    if as_json:
        show_json(created)
        return
    click.echo(created["token"])
    say(
        f"Token {created['name']!r} ({created['prefix']}...) expires {created['expires_at']}; it is not shown again."
        + (" Kept in the config file." if save else " Use it as FIP_TOKEN.")
    )


@cli.command()
@click.option("--build", type=BUILDS, help="Only services that take this build.")
@LIMIT
@as_json
def services(build: str | None, limit: int, as_json: bool) -> None:
    """The imputation services and whether they are up."""
    show_pages("/services", {"build": build}, limit, as_json, SERVICE_COLUMNS, "No services.")


@cli.command()
@click.option("--service", "service_id", help="Only this service's panels.")
@click.option("--build", type=BUILDS, help="Only panels of this build.")
@click.option("--population", help="Only panels with this population.")
@as_json
def panels(service_id: str | None, build: str | None, population: str | None, as_json: bool) -> None:
    """The reference panels, across services or of one."""
    with api() as platform:
        if service_id:
            found = platform.call("GET", f"/services/{service_id}/panels")
            found["items"] = [
                p
                for p in found["items"]
                if build in (None, p.get("build")) and population in (None, *p.get("populations", []))
            ]
        else:
            found = platform.call("GET", "/panels", params={"build": build, "population": population})
    show_json(found) if as_json else show_table(found["items"], PANEL_COLUMNS, "No panels.")


@cli.command()
@click.argument("paths", metavar="FILES...", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--build", type=BUILDS, help="The files' genome build (checked against their chromosome names).")
@click.option("--wait/--no-wait", "wait", default=False, help="Wait for validation; exit 1 when a file is invalid.")
@as_json
def upload(paths: tuple[Path, ...], build: str | None, wait: bool, as_json: bool) -> None:
    """Upload genotype files (VCF, bgzipped); an interrupted upload resumes when run again."""
    with api() as platform:
        files = upload_files(platform, paths, build, show_progress=not as_json)
        if wait:
            files = [settled(platform, f["id"]) for f in files]
    show_json(files) if as_json else show_table(files, FILE_COLUMNS, "")
    invalid = [f["filename"] for f in files if f["status"] == "invalid"]
    if invalid:
        say(f"Invalid: {', '.join(invalid)}: `fip files --json` shows the findings and their fixes")
        raise SystemExit(1)


def upload_files(
    platform: Api, paths: tuple[Path, ...], build: str | None, show_progress: bool
) -> list[dict[str, Any]]:
    """Upload each file with a progress bar of its own (hashing, then sending)."""
    uploader = Uploader(platform)
    uploaded = []
    with transfer_progress(show_progress) as progress:
        for path in paths:
            local = LocalFile.of(path)
            task = progress.add_task(local.path.name, total=2 * local.size)
            uploaded.append(uploader.upload(local, build, functools.partial(progress.advance, task)))
    return uploaded


def settled(platform: Api, file_id: str, interval: float = 1.0, timeout: float = VALIDATION_TIMEOUT) -> dict[str, Any]:
    """The file once validated (valid or invalid), asked every `interval` seconds."""
    deadline = time.monotonic() + timeout
    while (found := dict(platform.call("GET", f"/files/{file_id}")))["status"] not in FILE_SETTLED:
        if time.monotonic() > deadline:
            raise CliError(f"{found['filename']} is still {found['status']} after {timeout:g} s: see `fip files`")
        time.sleep(interval)
    return found


@cli.command()
@click.option("--status", type=click.Choice(["uploading", "validating", "valid", "invalid", "stored"]))
@LIMIT
@as_json
def files(status: str | None, limit: int, as_json: bool) -> None:
    """Your files: uploads and jobs' results."""
    show_pages("/files", {"status": status}, limit, as_json, FILE_COLUMNS, "No files.")


@cli.command()
@click.argument("inputs", metavar="FILES...", nargs=-1, required=True)
@click.option("--panel", required=True, help="The panel's slug as the service knows it, or its registry id.")
@click.option("--build", type=BUILDS, required=True)
@click.option(
    "--service",
    "services_",
    multiple=True,
    default=("auto",),
    show_default=True,
    help="`auto`, or a service id (repeat for several).",
)
@click.option("--name", help="Your name for the job (the first file's name otherwise).")
@click.option("--phasing", default="eagle", show_default=True)
@click.option("--population")
@click.option("--r2-filter", type=click.FloatRange(0, 1))
@click.option("--mode", type=click.Choice(["imputation", "qc_only"]), default="imputation", show_default=True)
@as_json
def submit(
    inputs: tuple[str, ...],
    panel: str,
    build: str,
    services_: tuple[str, ...],
    name: str | None,
    phasing: str,
    population: str | None,
    r2_filter: float | None,
    mode: str,
    as_json: bool,
) -> None:
    """Submit a job. FILES are file ids, or local files, which are uploaded (and validated) first."""
    service: str | list[str] = services_[0] if len(services_) == 1 else list(services_)
    if "auto" in services_ and len(services_) > 1:
        raise CliError("--service auto chooses the service itself: give it alone")
    with api() as platform:
        local = tuple(Path(item) for item in inputs if not UUID_PATTERN.match(item))
        uploaded = [settled(platform, f["id"]) for f in upload_files(platform, local, build, not as_json)]
        if bad := [f["filename"] for f in uploaded if f["status"] != "valid"]:
            raise CliError(f"not valid, so not submitted: {', '.join(bad)} (`fip files --json` shows why)")
        uploaded_ids = iter(f["id"] for f in uploaded)
        file_ids = [item if UUID_PATTERN.match(item) else next(uploaded_ids) for item in inputs]
        body = {
            "name": name or Path(inputs[0]).name,
            "service": service,
            "panel": panel,
            "build": build,
            "phasing": phasing,
            "population": population,
            "r2_filter": r2_filter,
            "mode": mode,
            "file_ids": file_ids,
        }
        # one key for this submission: a retried request never makes a second job
        job = platform.call(
            "POST",
            "/jobs",
            body=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    if as_json:
        show_json(job)
    else:
        click.echo(job["id"])
        # a job sent to several services runs on none itself: each of its children names its own
        where = [job["service"]] if job.get("service") else [child["service"] for child in job.get("children", [])]
        on = ", ".join(service["name"] for service in where)
        say(f"Job {job['name']!r} is {job['status']} on {on}: `fip wait {job['id']}`")


@cli.command()
@click.option(
    "--status", type=click.Choice(["pending", "submitted", "queued", "running", "completed", "failed", "cancelled"])
)
@LIMIT
@as_json
def jobs(status: str | None, limit: int, as_json: bool) -> None:
    """Your jobs, newest first."""
    show_pages("/jobs", {"status": status}, limit, as_json, JOB_COLUMNS, "No jobs.")


@cli.command()
@click.argument("job_id", metavar="JOB")
@click.option(
    "--interval", type=click.FloatRange(1, 3600), default=15, show_default=True, help="Seconds between checks."
)
@click.option("--timeout", type=click.FloatRange(1), help="Give up after this many seconds (exit status 5).")
@as_json
def wait(job_id: str, interval: float, timeout: float | None, as_json: bool) -> None:
    """Wait for a job to end. Exit status: 0 completed, 3 failed, 4 cancelled, 5 timed out, 1 error."""
    with api() as platform, job_progress(not as_json) as progress:
        task = progress.add_task(job_id[:8], total=100, status="")

        def seen(job: dict[str, Any]) -> None:
            progress.update(task, completed=job.get("progress") or 0, status=job.get("status", ""))

        job = wait_for(platform, job_id, interval=interval, timeout=timeout, seen=seen)
    if job is None:
        say(f"Job {job_id} has not ended after {timeout:g} s")
        raise SystemExit(TIMED_OUT)
    if as_json:
        show_json(job)
    else:
        say(f"Job {job['name']!r} {job['status']}" + (f": {job['error']}" if job.get("error") else ""))
    raise SystemExit(EXIT_STATUS[job["status"]])


@cli.command()
@click.argument("job_id", metavar="JOB")
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the files (a folder named after the job otherwise).",
)
@as_json
def download(job_id: str, output_dir: Path | None, as_json: bool) -> None:
    """Download a completed job's results (waiting while the platform copies them in from the service).
    Exit status 1 when some could not be copied in (the others are downloaded)."""
    folder = output_dir or Path(job_id)
    told: list[bool] = []

    def copying() -> None:
        if not told:
            say(f"The platform is copying job {job_id}'s results in from the service; waiting")
            told.append(True)

    with api() as platform:
        stored, missing = copied_outputs(platform, job_id, interval=OUTPUTS_INTERVAL_SECONDS, copying=copying)
        folder.mkdir(parents=True, exist_ok=True)
        with transfer_progress(not as_json) as progress:

            def started(name: str, size: int) -> Callable[[int], None]:
                task = progress.add_task(name, total=size or None)
                return lambda received: progress.advance(task, received)

            saved = [str(download_file(platform, item["file_id"], folder, started)) for item in stored]
    if as_json:
        show_json({"job_id": job_id, "files": saved, "not_copied": [item["name"] for item in missing]})
    else:
        for path in saved:
            click.echo(path)
    for item in missing:
        say(f"{item['name']} could not be copied in from the service: {item.get('error') or 'no reason given'}")
    if missing:
        raise SystemExit(1)


@cli.command()
@click.argument("job_id", metavar="JOB")
@as_json
def cancel(job_id: str, as_json: bool) -> None:
    """Cancel a job (on its service too)."""
    with api() as platform:
        job = platform.call("POST", f"/jobs/{job_id}/cancel")
    if as_json:
        show_json(job)
    else:
        say(f"Job {job_id}: {job.get('status', 'cancelling') if isinstance(job, dict) else 'cancelling'}")


def main() -> None:
    """The console script's entry point."""
    cli()
