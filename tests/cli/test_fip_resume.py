"""`fip upload` cut short resumes where it stopped: a file of two parts whose second part cannot be
sent (the connection drops, every try) fails saying to run it again; run again, it sends the second
part alone, to the same upload, which the platform completes. The client runs in this process here,
so that its connections to S3 can be cut; everything else is the local platform."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from click.testing import CliRunner

from fip import uploads
from fip.main import cli
from local_platform.platform import LocalPlatform
from tests.cli.conftest import S3_MIN_PART_BYTES
from tests.support.accounts import Account

pytestmark = pytest.mark.e2e


class CutConnections(httpx.BaseTransport):
    """Real HTTP, but for PUTs of the parts named in `cut`, whose connection drops; records the parts PUT."""

    def __init__(self, cut: set[int]) -> None:
        self.cut = cut
        self.sent: list[int] = []
        self.real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            part = int(parse_qs(request.url.query.decode())["partNumber"][0])
            if part in self.cut:
                raise httpx.ConnectError("connection reset by peer", request=request)
            self.sent.append(part)
        return self.real.handle_request(request)


@pytest.fixture
def environment(platform: LocalPlatform, researcher: Account, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIP_API_URL", platform.url)
    monkeypatch.setenv("FIP_TOKEN", researcher.access_token)
    monkeypatch.setenv("FIP_CONFIG", str(config))


def _through(monkeypatch: pytest.MonkeyPatch, transport: CutConnections) -> None:
    monkeypatch.setattr(uploads, "http_client", lambda: httpx.Client(transport=transport, timeout=60))


def test_an_upload_cut_short_resumes_with_the_parts_s3_lacks(environment, config, monkeypatch, tmp_path):
    big = tmp_path / "two-parts.vcf.gz"
    big.write_bytes(os.urandom(S3_MIN_PART_BYTES + 4096))

    cut = CutConnections(cut={2})
    _through(monkeypatch, cut)
    first = CliRunner().invoke(cli, ["upload", str(big), "--json"])
    assert first.exit_code == 1, first.output
    assert "part 2 was not sent" in first.output
    assert "run the same `fip upload` again to resume" in first.output
    assert cut.sent == [1]
    listed = json.loads(CliRunner().invoke(cli, ["files", "--status", "uploading", "--json"]).output)
    [waiting] = [f for f in listed["items"] if f["filename"] == big.name]

    whole = CutConnections(cut=set())
    _through(monkeypatch, whole)
    second = CliRunner().invoke(cli, ["upload", str(big), "--json"])
    assert second.exit_code == 0, second.output
    [completed] = json.loads(second.output)
    assert completed["id"] == waiting["id"]  # the same upload, taken up
    assert completed["status"] != "uploading"
    assert whole.sent == [2]  # S3 had part 1: only the part it lacked was sent
    remembered = config.with_name("uploads.json")
    assert not remembered.exists() or big.name not in remembered.read_text()
