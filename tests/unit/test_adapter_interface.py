"""Both adapters offer the whole interface (mypy checks the signatures through the annotated list), and
the values refuse what would make a submission ambiguous or leak a secret into a log."""

import pytest
from pydantic import SecretStr

from jobs.adapters.base import ExternalState, ImputationServiceAdapter, InputFile, Submission
from jobs.adapters.cloudgene import CloudgeneAdapter
from jobs.adapters.wes import WesAdapter

ADAPTERS: list[type[ImputationServiceAdapter]] = [CloudgeneAdapter, WesAdapter]
URL = "https://results.s3.amazonaws.com/a.vcf.gz?X-Amz-Signature=secret-signature"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_each_adapter_has_every_operation(adapter):
    for operation in ("probe", "submit", "status", "cancel", "list_outputs", "fetch_output"):
        assert callable(getattr(adapter, operation))


async def nothing():
    yield b""


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": "../a.vcf.gz"}, "plain file name"),
        ({"name": "a b.vcf.gz"}, "plain file name"),
        ({"size": -1}, "0 or more"),
        ({"url": None}, "exactly one"),
        ({"source": nothing}, "exactly one"),
    ],
)
def test_an_input_file_is_one_plain_name_with_one_source(changes, problem):
    with pytest.raises(ValueError, match=problem):
        InputFile(**{"name": "a.vcf.gz", "size": 1, "url": URL, **changes})


def test_secrets_stay_out_of_a_submissions_repr():
    submission = Submission(
        name="study",
        files=(InputFile("a.vcf.gz", 1, url=URL),),
        panel="topmed-r3",
        build="hg38",
        phasing="eagle",
        password=SecretStr("archive-password"),
    )
    assert "secret-signature" not in repr(submission)
    assert "archive-password" not in repr(submission)


def test_only_completed_failed_and_cancelled_are_finished():
    assert {state for state in ExternalState if state.finished} == {
        ExternalState.COMPLETED,
        ExternalState.FAILED,
        ExternalState.CANCELLED,
    }
