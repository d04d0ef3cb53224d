"""The WES adapter's reading without a server: every state of both spec versions mapped, outputs read
in the spec's form and in sapporo's, and a failed run's words kept."""

from pathlib import Path

import pytest
import yaml

from jobs.adapters.base import ExternalState, MessageLevel
from jobs.adapters.wes import STATES, outputs_of, run_status

SPECS = Path(__file__).parents[2] / "specs"


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ("wes-1.0.0.swagger.yaml", ["definitions", "State"]),
        ("wes-1.1.0.openapi.yaml", ["components", "schemas", "State"]),
    ],
)
def test_every_state_of_both_spec_versions_is_mapped(spec, path):
    document = yaml.safe_load((SPECS / spec).read_text())
    for key in path:
        document = document[key]
    assert set(document["enum"]) <= set(STATES)


def test_the_states_mean_what_the_platform_documents():
    assert {state: ours.value for state, ours in STATES.items()} == {
        "UNKNOWN": "waiting_for_service",
        "QUEUED": "queued",
        "INITIALIZING": "queued",
        "RUNNING": "running",
        "PAUSED": "waiting_for_service",
        "COMPLETE": "completed",
        "EXECUTOR_ERROR": "failed",
        "SYSTEM_ERROR": "failed",
        "CANCELED": "cancelled",
        "CANCELING": "running",
        "PREEMPTED": "waiting_for_service",
        "DELETED": "cancelled",
        "DELETING": "cancelled",
    }


def test_outputs_in_sapporos_list_form():
    run_log = {
        "outputs": [
            {"file_name": "variants.txt", "file_url": "http://127.0.0.1:1122/runs/r/outputs/variants.txt"},
            {"file_name": "bad", "file_url": "file:///etc/passwd"},
        ]
    }
    assert [(output.name, output.url) for output in outputs_of(run_log)] == [
        ("variants.txt", "http://127.0.0.1:1122/runs/r/outputs/variants.txt")
    ]


def test_outputs_in_the_specs_object_form():
    run_log = {
        "outputs": {
            "imputed": [
                {"class": "File", "location": "https://node.example.org/o/chr20.dose.vcf.gz", "size": 1234},
                {"class": "File", "location": "https://node.example.org/o/chr21.dose.vcf.gz", "basename": "c21.vcf.gz"},
            ],
            "report": {"class": "File", "location": "https://node.example.org/o/qc.html", "size": True},
            "count": 3,
            "folder": {"class": "Directory", "location": "https://node.example.org/o/"},
        }
    }
    assert [(output.name, output.size_bytes, output.group) for output in outputs_of(run_log)] == [
        ("chr20.dose.vcf.gz", 1234, "imputed"),
        ("c21.vcf.gz", None, "imputed"),
        ("qc.html", None, "report"),
    ]


def test_a_failed_run_keeps_its_exit_code_and_the_end_of_its_stderr():
    stderr = "\n".join(f"line {number}" for number in range(100)) + "\nERROR: tool failed\n"
    status = run_status("r1", {"state": "SYSTEM_ERROR", "run_log": {"exit_code": 3, "stderr": stderr}})
    assert status.state is ExternalState.FAILED
    assert status.error is not None
    assert status.error.splitlines()[0] == "SYSTEM_ERROR, exit code 3"
    assert status.error.splitlines()[-1] == "ERROR: tool failed"
    assert len(status.error.splitlines()) == 21
    assert [message.level for message in status.steps[0].messages] == [MessageLevel.ERROR, MessageLevel.ERROR]


def test_a_log_given_as_a_url_is_not_taken_for_its_text():
    status = run_status("r1", {"state": "EXECUTOR_ERROR", "run_log": {"stderr": "https://node.example.org/logs/r1"}})
    assert status.error == "EXECUTOR_ERROR"
    assert status.steps[0].messages == ()
