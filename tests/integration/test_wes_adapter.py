"""The WES adapter against a real WES server: sapporo-service on loopback, running a small CWL workflow
with `cwltool --no-container` on a sample VCF that a loopback HTTP server hands out as a presigned URL
would. Submit to completed with outputs listed and fetched, a failing run with its stderr, a cancelled
run, and the inputs checked before anything is submitted."""

import asyncio
import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import SecretStr

from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundPolicy, outbound_settings
from fip_core.wes_workflow import WesWorkflow
from jobs.adapters.base import (
    ExternalState,
    InputFile,
    MessageLevel,
    ServiceRefusedError,
    Submission,
    UnknownJobError,
)
from jobs.adapters.wes import WesAdapter
from tests.support.network_records import AUDIT_HOOK, audit_records, is_local
from tests.support.sapporo import SapporoServer, cwltool_environment, cwltool_run_script

pytestmark = [pytest.mark.sapporo, pytest.mark.usefixtures("outbound_to_loopback")]

DATA = Path(__file__).parents[1] / "data"
VCF = DATA / "vcf" / "chr20.tiny.100snps.vcf.gz"
COUNT = WesWorkflow(
    workflow_url="count_variants.cwl",
    workflow_type="CWL",
    workflow_type_version="v1.2",
    workflow_engine="cwltool",
    params_template={"vcf": "{{file}}", "panel": "{{panel}}"},
    tags={"platform": "fip-test"},
    attachments={"count_variants.cwl": (DATA / "wes" / "count_variants.cwl").read_text()},
)
WAIT = COUNT.model_copy(
    update={
        "workflow_url": "wait.cwl",
        "params_template": {"vcf": "{{file}}"},
        "attachments": {"wait.cwl": (DATA / "wes" / "wait.cwl").read_text()},
    }
)
DEADLINE_SECONDS = 180  # cwltool starts slowly on a busy machine; the waits end as soon as the state is reached


@pytest.fixture(scope="module")
def network_audit(tmp_path_factory):
    """Where sapporo, its run script's tools and cwltool record every lookup, connection and bind."""
    return tmp_path_factory.mktemp("sapporo-audit") / "network.jsonl"


@pytest.fixture(scope="module")
def sapporo(sapporo_bin, tmp_path_factory, network_audit):
    folder = tmp_path_factory.mktemp("sapporo-run-script")
    audited = {"PYTHONPATH": str(AUDIT_HOOK), "FIP_NETWORK_AUDIT_FILE": str(network_audit)}
    server = SapporoServer(
        sapporo_bin,
        run_sh=cwltool_run_script(sapporo_bin, folder),
        env={**cwltool_environment(sapporo_bin), **audited},
    )
    server.start()
    yield server
    server.stop()


class QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def inputs():
    """Serves tests/data over loopback HTTP, standing in for the results store's presigned URLs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(DATA)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def adapter(sapporo, workflow=COUNT):
    return WesAdapter(OutboundClient(OutboundPolicy.from_settings(outbound_settings())), sapporo.base_url, workflow)


def submission(url, name="chr20.vcf.gz", size=None):
    file = InputFile(name, VCF.stat().st_size if size is None else size, url=url)
    return Submission(name="chr20 study", files=(file,), panel="apps@1000g-phase-3-v5", build="hg19", phasing="eagle")


def wait_for(wes, run_id, states):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        status = asyncio.run(wes.status(run_id, None))
        if status.state in states or time.monotonic() > deadline:
            return status
        time.sleep(0.5)  # polling a real server's state, as the platform's poller does


def fetch(wes, output):
    async def read():
        async with wes.fetch_output(output, None) as chunks:
            return b"".join([chunk async for chunk in chunks])

    return asyncio.run(read())


def test_a_run_goes_from_submit_to_completed_and_its_outputs_are_fetched(sapporo, inputs):
    wes = adapter(sapporo)
    run_id = asyncio.run(wes.submit(submission(f"{inputs}/vcf/{VCF.name}"), None))
    assert asyncio.run(wes.status(run_id, None)).state in (
        ExternalState.QUEUED,
        ExternalState.RUNNING,
        ExternalState.COMPLETED,
    )
    status = wait_for(wes, run_id, {ExternalState.COMPLETED, ExternalState.FAILED})
    assert (status.state, status.service_state, status.progress) == (ExternalState.COMPLETED, "COMPLETE", 100)
    outputs = {output.name: output for output in asyncio.run(wes.list_outputs(run_id, None))}
    assert set(outputs) == {"variants.txt", "panel.txt"}
    assert fetch(wes, outputs["variants.txt"]) == b"100\n"  # the VCF's 100 records, counted by the workflow
    assert fetch(wes, outputs["panel.txt"]) == b"apps@1000g-phase-3-v5\n"


def test_the_run_request_is_the_specs_with_the_inputs_url_in_its_params(sapporo, inputs):
    wes = adapter(sapporo)
    url = f"{inputs}/vcf/{VCF.name}"
    run_id = asyncio.run(wes.submit(submission(url), None))
    run_log = asyncio.run(wes.run_log(run_id, None))
    request = run_log["request"]
    assert (request["workflow_url"], request["workflow_type"], request["workflow_type_version"]) == (
        "count_variants.cwl",
        "CWL",
        "v1.2",
    )
    assert request["workflow_engine"] == "cwltool"
    assert request["workflow_params"]["vcf"] == {"class": "File", "location": url, "basename": "chr20.vcf.gz"}
    assert request["tags"] == {"platform": "fip-test", "job_name": "chr20 study"}
    wait_for(wes, run_id, {ExternalState.COMPLETED, ExternalState.FAILED})


def test_a_failing_run_says_why_in_the_tools_own_words(sapporo, inputs):
    wes = adapter(sapporo)
    not_gzip = DATA / "vcf" / "README.md"
    run_id = asyncio.run(wes.submit(submission(f"{inputs}/vcf/README.md", size=not_gzip.stat().st_size), None))
    status = wait_for(wes, run_id, {ExternalState.COMPLETED, ExternalState.FAILED})
    assert (status.state, status.service_state) == (ExternalState.FAILED, "EXECUTOR_ERROR")
    assert status.error.startswith("EXECUTOR_ERROR, exit code")
    assert "not in gzip format" in status.error
    assert status.steps[0].messages[-1].level is MessageLevel.ERROR


def test_cancel_stops_the_run_on_the_server(sapporo, inputs):
    wes = adapter(sapporo, WAIT)
    run_id = asyncio.run(wes.submit(submission(f"{inputs}/vcf/{VCF.name}"), None))
    assert wait_for(wes, run_id, {ExternalState.RUNNING}).state is ExternalState.RUNNING
    asked = asyncio.run(wes.cancel(run_id, None))
    assert asked.service_state in ("CANCELING", "CANCELED")
    status = wait_for(wes, run_id, {ExternalState.CANCELLED})
    assert (status.state, status.service_state) == (ExternalState.CANCELLED, "CANCELED")


def test_inputs_that_do_not_answer_or_have_no_url_are_refused_before_submitting(sapporo, inputs):
    wes = adapter(sapporo)
    runs_before = sorted((sapporo.run_dir).glob("*/*"))
    with pytest.raises(ServiceRefusedError, match="does not answer"):
        asyncio.run(wes.submit(submission(f"{inputs}/vcf/missing.vcf.gz"), None))

    async def source():
        yield b""

    streamed = Submission(
        name="x", files=(InputFile("a.vcf.gz", 0, source=source),), panel="p", build="hg19", phasing="eagle"
    )
    with pytest.raises(ServiceRefusedError, match="presigned URL"):
        asyncio.run(wes.submit(streamed, None))
    one = submission(f"{inputs}/vcf/{VCF.name}").files[0]
    two = Submission(name="x", files=(one, one), panel="p", build="hg19", phasing="eagle")
    with pytest.raises(ServiceRefusedError, match="one file a run"):
        asyncio.run(wes.submit(two, None))
    assert sorted((sapporo.run_dir).glob("*/*")) == runs_before


def test_an_unknown_run_and_a_probe(sapporo):
    wes = adapter(sapporo)
    with pytest.raises(UnknownJobError):
        asyncio.run(wes.status(str(uuid4()), SecretStr("unused")))
    with pytest.raises(UnknownJobError):
        asyncio.run(wes.status("../../etc", None))
    condition = asyncio.run(wes.probe())
    assert condition.accepting
    assert condition.queue_size is not None


def test_a_node_under_the_specs_prefix_runs_the_same_workflow(sapporo_bin, tmp_path, inputs):
    prefixed = SapporoServer(
        sapporo_bin,
        url_prefix="/ga4gh/wes/v1",
        run_sh=cwltool_run_script(sapporo_bin, tmp_path),
        env=cwltool_environment(sapporo_bin),
    )
    prefixed.start()
    try:
        wes = adapter(prefixed)
        assert wes.api_url.endswith("/ga4gh/wes/v1")
        assert asyncio.run(wes.probe()).accepting
        run_id = asyncio.run(wes.submit(submission(f"{inputs}/vcf/{VCF.name}"), None))
        assert wait_for(wes, run_id, {ExternalState.COMPLETED, ExternalState.FAILED}).state is ExternalState.COMPLETED
        outputs = {output.name: output for output in asyncio.run(wes.list_outputs(run_id, None))}
        assert "/ga4gh/wes/v1/runs/" in outputs["variants.txt"].url
        assert fetch(wes, outputs["variants.txt"]) == b"100\n"
    finally:
        prefixed.stop()


def test_sapporo_and_cwltool_stayed_on_loopback(sapporo, inputs, network_audit):
    wes = adapter(sapporo)
    run_id = asyncio.run(wes.submit(submission(f"{inputs}/vcf/{VCF.name}"), None))
    wait_for(wes, run_id, {ExternalState.COMPLETED, ExternalState.FAILED})
    records = audit_records(network_audit)
    assert any(record["what"] == "bind" for record in records), "the audit hook saw nothing: was it loaded?"
    assert any(record["what"] == "connect" for record in records), "cwltool's download of the input was not seen"
    assert [record for record in records if not is_local(record)] == []
