"""The Cloudgene adapter against a contract fake of a Cloudgene 3 server, over loopback HTTP through the
outbound policy: submission as cloudgene3 parses it, every state, the running-job cap, maintenance, a
bad token, a job that fails in QC with its logs, and a result downloaded in pieces."""

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from fip_core.outbound.client import OutboundClient
from fip_core.outbound.policy import OutboundPolicy, outbound_settings
from jobs.adapters.base import (
    BadTokenError,
    ExternalState,
    InputFile,
    JobMode,
    MessageLevel,
    ServiceRefusedError,
    Submission,
    UnknownJobError,
    WaitingForServiceError,
)
from jobs.adapters.cloudgene import STATES, CloudgeneAdapter
from tests.support.cloudgene import ERROR, OK, RUNNING, WARNING, CloudgeneFake

pytestmark = pytest.mark.usefixtures("outbound_to_loopback")

VCF = Path(__file__).parents[1] / "data" / "vcf" / "chr20.tiny.100snps.vcf.gz"
ADA, BOB = SecretStr("token-of-ada"), SecretStr("token-of-bob")


@pytest.fixture
def server():
    with CloudgeneFake({ADA.get_secret_value(): "ada", BOB.get_secret_value(): "bob"}) as fake:
        yield fake


@pytest.fixture
def adapter(server):
    return CloudgeneAdapter(OutboundClient(OutboundPolicy.from_settings(outbound_settings())), server.base_url)


def streamed(content: bytes, piece: int = 1000):
    async def source():
        for start in range(0, len(content), piece):
            yield content[start : start + piece]

    return source


def submission(**changes):
    content = VCF.read_bytes()
    values = {
        "name": "chr20 study",
        "files": (InputFile("chr20.vcf.gz", len(content), source=streamed(content)),),
        "panel": "apps@1000g-phase-3-v5",
        "build": "hg19",
        "phasing": "eagle",
        "population": "afr",
        "r2_filter": 0.3,
        "mode": JobMode.IMPUTATION,
        "password": SecretStr("archive-password-1"),
    }
    return Submission(**{**values, **changes})


def submit(adapter, token=ADA, **changes):
    return asyncio.run(adapter.submit(submission(**changes), token))


def fetched(adapter, output):
    """The pieces of one output, as the adapter hands them over."""

    async def read():
        async with adapter.fetch_output(output, ADA) as chunks:
            return [chunk async for chunk in chunks]

    return asyncio.run(read())


def test_a_submission_arrives_as_cloudgene_parses_it(adapter, server):
    job_id = submit(adapter)
    job = server.jobs[job_id]
    assert (job.user, job.name) == ("ada", "chr20 study")
    assert job.params == {
        "job-name": "chr20 study",
        "refpanel": "apps@1000g-phase-3-v5",
        "build": "hg19",
        "phasing": "eagle",
        "mode": "imputation",
        "population": "afr",
        "r2Filter": "0.3",
        "password": "archive-password-1",
    }
    assert job.files == {"chr20.vcf.gz": VCF.read_bytes()}
    method, path, headers = server.requests[-1]
    assert (method, path) == ("POST", "/api/v2/jobs/submit/imputationserver2")
    assert headers["X-Auth-Token"] == "token-of-ada"
    assert headers["Content-Type"].startswith("multipart/form-data; boundary=")


def test_qc_only_is_sent_in_imputationserver2s_words(adapter, server):
    job_id = submit(adapter, mode=JobMode.QC_ONLY, population=None, r2_filter=None, password=None)
    assert server.jobs[job_id].params["mode"] == "qc_only"
    assert {"population", "r2Filter", "password"}.isdisjoint(server.jobs[job_id].params)


def test_a_file_given_by_url_is_piped_into_the_upload(adapter, server):
    content = VCF.read_bytes()
    server.downloads["input-hash"] = {"name": "in.vcf.gz", "count": -1, "content": content}
    url = f"{server.base_url}/share/results/input-hash/in.vcf.gz"  # any URL that serves the bytes
    job_id = submit(adapter, files=(InputFile("chr20.vcf.gz", len(content), url=url),))
    assert server.jobs[job_id].files == {"chr20.vcf.gz": content}


def test_a_file_shorter_than_announced_is_refused_before_the_server_takes_a_job(adapter, server):
    content = VCF.read_bytes()
    short = InputFile("chr20.vcf.gz", len(content) + 5, source=streamed(content))
    with pytest.raises(ServiceRefusedError, match="ended after"):
        submit(adapter, files=(short,))
    assert server.jobs == {}


def test_a_bad_token_is_refused_and_never_echoed(adapter, server):
    with pytest.raises(BadTokenError) as refused:
        submit(adapter, token=SecretStr("expired-token"))
    assert not refused.value.retryable
    assert "expired-token" not in repr(refused.value) + str(refused.value)
    with pytest.raises(BadTokenError):
        submit(adapter, token=None)
    job_id = submit(adapter)
    with pytest.raises(BadTokenError) as refused:
        asyncio.run(adapter.status(job_id, SecretStr("expired-token")))
    assert "expired-token" not in repr(refused.value) + str(refused.value)


def test_the_running_job_cap_is_waiting_for_the_service(adapter, server):
    first, second = submit(adapter), submit(adapter)
    with pytest.raises(WaitingForServiceError) as waiting:
        submit(adapter)
    assert waiting.value.retryable
    assert waiting.value.service_message == "Only 2 jobs per user can be executed simultaneously."
    assert submit(adapter, token=BOB)  # the cap is per user
    server.set_state(first, 4)
    assert submit(adapter) not in (first, second)


def test_maintenance_waits_for_the_service_and_the_probe_says_so(adapter, server):
    job_id = submit(adapter)
    server.maintenance = True
    with pytest.raises(WaitingForServiceError) as waiting:
        submit(adapter)
    assert waiting.value.service_message == "This functionality is currently under maintenance."
    status = asyncio.run(adapter.status(job_id, ADA))
    assert status.state is ExternalState.WAITING_FOR_SERVICE
    assert status.error == "This functionality is currently under maintenance."
    with pytest.raises(WaitingForServiceError):
        asyncio.run(adapter.cancel(job_id, ADA))
    condition = asyncio.run(adapter.probe())
    assert (condition.accepting, condition.reason, condition.queue_size) == (False, "Upgrading the cluster", 7)
    server.maintenance = False
    assert asyncio.run(adapter.status(job_id, ADA)).state is ExternalState.QUEUED
    assert asyncio.run(adapter.probe()).accepting


def test_an_unknown_application_is_refused(server):
    client = OutboundClient(OutboundPolicy.from_settings(outbound_settings()))
    with pytest.raises(ServiceRefusedError) as refused:
        asyncio.run(CloudgeneAdapter(client, server.base_url, app="minimac4").submit(submission(), ADA))
    assert refused.value.service_message == "Application 'minimac4' not found."


@pytest.mark.parametrize("code", sorted(STATES))
def test_every_state_code_is_mapped(adapter, server, code):
    job_id = submit(adapter)
    server.set_state(job_id, code)
    status = asyncio.run(adapter.status(job_id, ADA))
    assert status.state is STATES[code][1]
    assert status.service_state == f"{code} {STATES[code][0]}"
    if code in (-1, 7, 10):
        assert status.error  # why a dead, retired or deleted job is where it is


def test_the_mapping_is_the_one_the_platform_documents():
    assert {code: state.value for code, (_, state) in STATES.items()} == {
        -1: "waiting_for_service",
        1: "queued",
        2: "running",
        3: "running",
        4: "completed",
        5: "failed",
        6: "cancelled",
        7: "failed",
        8: "completed",
        9: "failed",
        10: "cancelled",
    }


def test_a_queued_job_has_its_position_and_a_running_one_its_steps(adapter, server):
    first, second = submit(adapter), submit(adapter, token=BOB)
    assert asyncio.run(adapter.status(second, BOB)).position_in_queue == 1
    queued = asyncio.run(adapter.status(first, ADA))
    assert (queued.state, queued.position_in_queue, queued.progress) == (ExternalState.QUEUED, 0, 0)
    server.run(first, ("Input Validation", [(OK, "3 valid VCF files")]), ("Phasing", [(RUNNING, "chr20: 45%")]))
    running = asyncio.run(adapter.status(first, ADA))
    assert (running.state, running.position_in_queue, running.progress) == (ExternalState.RUNNING, None, None)
    assert [step.name for step in running.steps] == ["Input Validation", "Phasing"]
    assert running.steps[1].messages[0].level is MessageLevel.RUNNING
    assert running.steps[0].messages[0].time is not None


def test_a_qc_failure_carries_the_services_own_words(adapter, server):
    job_id = submit(adapter)
    server.fail(
        job_id,
        ("Input Validation", [(OK, "1 valid VCF file")]),
        (
            "Quality Control",
            [(WARNING, "Excluded sites: 12"), (ERROR, "More than 100 obvious strand flips have been detected.")],
        ),
    )
    status = asyncio.run(adapter.status(job_id, ADA))
    assert status.state is ExternalState.FAILED
    assert status.error == "More than 100 obvious strand flips have been detected."
    assert [message.level for message in status.steps[1].messages] == [MessageLevel.WARNING, MessageLevel.ERROR]


def test_another_users_job_and_an_unknown_job_are_refused(adapter, server):
    job_id = submit(adapter)
    with pytest.raises(UnknownJobError) as other:
        asyncio.run(adapter.status(job_id, BOB))
    assert other.value.service_message == "Access denied."
    with pytest.raises(UnknownJobError) as unknown:
        asyncio.run(adapter.status("job-20260101-000000-000", ADA))
    assert unknown.value.service_message == "Job job-20260101-000000-000 not found."
    with pytest.raises(UnknownJobError):
        asyncio.run(adapter.status("../server", ADA))  # never sent as a path


def test_cancel_is_a_get_that_cancels_on_the_server(adapter, server):
    job_id = submit(adapter)
    server.run(job_id, ("Input Validation", [(RUNNING, "checking")]))
    status = asyncio.run(adapter.cancel(job_id, ADA))
    assert status.state is ExternalState.CANCELLED
    assert server.jobs[job_id].state == 6
    assert server.requests[-1][:2] == ("GET", f"/api/v2/jobs/{job_id}/cancel")


def test_outputs_are_listed_and_one_is_fetched_in_pieces_within_the_download_limit(adapter, server):
    job_id = submit(adapter)
    archive = bytes(range(256)) * 1024  # 256 KiB: more than one piece
    server.complete(job_id, {"chr_20.zip": archive, "qcreport.html": b"<html></html>"}, count=1)
    outputs = asyncio.run(adapter.list_outputs(job_id, ADA))
    assert [(output.name, output.size_text, output.downloads_left) for output in outputs] == [
        ("chr_20.zip", "256 KB", 1),
        ("qcreport.html", "13 bytes", 1),
    ]
    assert all(output.group == "output" and "/share/results/" in output.url for output in outputs)

    pieces = fetched(adapter, outputs[0])
    assert b"".join(pieces) == archive
    assert len(pieces) > 1
    assert "X-Auth-Token" not in server.requests[-1][2]  # a share link is anonymous
    with pytest.raises(ServiceRefusedError) as spent:
        fetched(adapter, outputs[0])
    assert spent.value.service_message == "number of max downloads exceeded."


def test_an_output_in_a_subfolder_is_fetched_and_one_that_climbs_out_is_not_listed(adapter, server):
    job_id = submit(adapter)
    server.complete(job_id, {"local/chr 20.zip": b"zip bytes", "../outside.txt": b"x"})
    outputs = asyncio.run(adapter.list_outputs(job_id, ADA))
    assert [output.name for output in outputs] == ["local/chr 20.zip"]
    assert outputs[0].url.endswith("/local/chr%2020.zip")
    assert b"".join(fetched(adapter, outputs[0])) == b"zip bytes"


def test_a_result_in_an_external_workspace_is_fetched_through_its_redirect(adapter, server):
    job_id = submit(adapter)
    server.complete(job_id, {"chr_20.zip": b"archive in s3"}, external_workspace=True)
    (output,) = asyncio.run(adapter.list_outputs(job_id, ADA))
    assert b"".join(fetched(adapter, output)) == b"archive in s3"
    assert [path for _, path, _ in server.requests[-2:]] == [
        output.url.removeprefix(server.base_url),
        "/workspace/" + output.url.split("/")[-2],
    ]
