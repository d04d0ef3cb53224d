"""A WES service's workflow record (`fip_core.wes_workflow`): what its parameters template may hold, and
the `POST /runs` form the adapter builds from it and a job (WES 1.1 RunRequest, multipart/form-data)."""

import json
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr, ValidationError

from fip_core.wes_workflow import PLACEHOLDERS, WesWorkflow
from jobs.adapters.base import InputFile, JobMode, Submission
from jobs.adapters.wes import fill_params, run_request

SPECS = Path(__file__).parents[2] / "specs"
URL = "https://results.s3.amazonaws.com/chr20.vcf.gz?X-Amz-Signature=abc"
URL21 = "https://results.s3.amazonaws.com/chr21.vcf.gz?X-Amz-Signature=def"


def submission(**changes):
    values = {
        "name": "study",
        "files": (InputFile("chr20.vcf.gz", 10, url=URL),),
        "panel": "h3africa-v6hc-s",
        "build": "hg38",
        "phasing": "eagle",
        "mode": JobMode.QC_ONLY,
        "r2_filter": 0.3,
        "password": SecretStr("pw"),
    }
    return Submission(**{**values, **changes})


def workflow(**changes):
    values = {
        "workflow_url": "impute.cwl",
        "workflow_type": "CWL",
        "workflow_type_version": "v1.2",
        "workflow_engine": "cwltool",
        "params_template": {"vcf": "{{file}}"},
        "attachments": {"impute.cwl": "cwlVersion: v1.2"},
    }
    return WesWorkflow.model_validate({**values, **changes})


def refusal(**changes) -> str:
    with pytest.raises(ValidationError) as raised:
        workflow(**changes)
    return str(raised.value)


def test_a_template_is_filled_with_typed_values():
    template = {
        "vcf": "{{file}}",
        "url": "{{file_url}}",
        "all": "{{files}}",
        "urls": "{{file_urls}}",
        "r2": "{{r2_filter}}",
        "population": "{{population}}",
        "reference": {"panel": "{{panel}}", "build": "{{build}}"},
        "fixed": [1, True, None, "text with { braces }", {"mode": "{{mode}}", "phasing": "{{phasing}}"}],
        "job": "{{name}}",
    }
    assert fill_params(template, submission()) == {
        "vcf": {"class": "File", "location": URL, "basename": "chr20.vcf.gz"},
        "url": URL,
        "all": [{"class": "File", "location": URL, "basename": "chr20.vcf.gz"}],
        "urls": [URL],
        "r2": 0.3,
        "population": None,
        "reference": {"panel": "h3africa-v6hc-s", "build": "hg38"},
        "fixed": [1, True, None, "text with { braces }", {"mode": "qc_only", "phasing": "eagle"}],
        "job": "study",
    }


def test_several_files_fill_the_list_placeholders():
    two = (InputFile("chr20.vcf.gz", 10, url=URL), InputFile("chr21.vcf.gz", 10, url=URL21))
    filled = fill_params({"vcfs": "{{files}}", "urls": "{{file_urls}}"}, submission(files=two))
    assert [item["location"] for item in filled["vcfs"]] == [URL, URL21]
    assert filled["urls"] == [URL, URL21]


def test_one_file_or_a_list_is_what_the_template_says():
    assert workflow(params_template={"vcf": "{{file}}"}).takes_one_file
    assert workflow(params_template={"vcf": "{{file_url}}"}).takes_one_file
    assert not workflow(params_template={"vcfs": "{{files}}"}).takes_one_file
    assert not workflow(params_template={"vcfs": ["{{file_urls}}"]}).takes_one_file


def test_the_password_is_no_placeholder():
    # the archives' password is Cloudgene's; a WES node is never sent one
    assert "password" not in PLACEHOLDERS
    assert "unknown placeholder {{password}}" in refusal(params_template={"vcf": "{{file}}", "p": "{{password}}"})


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ({"vcf": "{{file}}", "x": "{{token}}"}, "unknown placeholder {{token}}"),
        ({"vcf": "{{file}}", "label": "{{panel}} on {{build}}"}, "a placeholder is a whole string"),
        ({"vcf": "{{ file }}"}, "a placeholder is a whole string"),
        ({"vcf": "{{file}}", "code": "{{__import__('os')}}"}, "a placeholder is a whole string"),
        ({"panel": "{{panel}}"}, "must place the input files"),
        ({}, "must place the input files"),
        ({"vcf": "{{file}}", "deep": [[[[[[[[["x"]]]]]]]]]}, "nests deeper than 8"),
        ({"vcf": "{{file}}", "big": "x" * 20_000}, "larger than 16384 bytes"),
    ],
)
def test_a_template_that_is_not_plain_values_and_whole_known_placeholders_is_refused(template, words):
    assert words in refusal(params_template=template)


def test_the_workflow_url_is_a_url_or_an_attachment():
    assert workflow(workflow_url="https://example.org/impute.cwl", attachments={}).workflow_url.startswith("https")
    assert "neither a URL" in refusal(workflow_url="other.cwl")
    assert "must be an https://" in refusal(workflow_url="file:///etc/passwd")


@pytest.mark.parametrize(
    "changes",
    [
        {"attachments": {"../impute.cwl": "x"}, "workflow_url": "https://example.org/w.cwl"},
        {"workflow_type": "cwl; rm -rf"},
        {"workflow_engine": "cwl tool"},
        {"unknown_field": 1},
        {"attachments": {"impute.cwl": "x" * 300_000}},
    ],
)
def test_names_fields_and_sizes_outside_the_rules_are_refused(changes):
    refusal(**changes)


def test_the_run_request_carries_the_specs_fields_and_the_filled_params():
    spec = yaml.safe_load((SPECS / "wes-1.1.0.openapi.yaml").read_text())
    form = spec["paths"]["/runs"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    chosen = workflow(
        params_template={"vcf": "{{file}}", "panel": "{{panel}}"},
        workflow_engine_version="3.1",
        workflow_engine_parameters={"--parallel": ""},
        tags={"platform": "fip"},
    )
    fields, attachments = run_request(chosen, submission())
    sent = dict(fields)
    assert set(sent) <= set(form)
    assert (sent["workflow_url"], sent["workflow_type"], sent["workflow_type_version"]) == ("impute.cwl", "CWL", "v1.2")
    assert (sent["workflow_engine"], sent["workflow_engine_version"]) == ("cwltool", "3.1")
    assert json.loads(sent["workflow_params"]) == {
        "vcf": {"class": "File", "location": URL, "basename": "chr20.vcf.gz"},
        "panel": "h3africa-v6hc-s",
    }
    assert json.loads(sent["workflow_engine_parameters"]) == {"--parallel": ""}
    assert json.loads(sent["tags"]) == {"platform": "fip", "job_name": "study"}
    assert "pw" not in json.dumps(fields)
    [(part, attached)] = attachments
    assert (part, attached.name, attached.size) == ("workflow_attachment", "impute.cwl", len("cwlVersion: v1.2"))


def test_optional_engine_fields_are_left_out_when_not_named():
    chosen = workflow(workflow_engine=None, workflow_url="https://example.org/w.cwl", attachments={})
    fields, attachments = run_request(chosen, submission())
    assert [name for name, _ in fields] == [
        "workflow_url", "workflow_type", "workflow_type_version", "workflow_params", "tags",
    ]  # fmt: skip
    assert attachments == []
