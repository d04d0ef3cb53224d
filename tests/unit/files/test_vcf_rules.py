"""The validator on the sample files (valid) and on one broken file per rule (exactly that rule)."""

from __future__ import annotations

import io

import pytest

from files.validation import RULES, Limits, validate
from tests.unit.files.cases import BROKEN, DATA, SAMPLES, Broken, joined, lines

EXPECTED = {
    "chr20.tiny.100snps.vcf.gz": ("20", "hg19", 51, 100),
    "chr20.small.1000snps.vcf.gz": ("20", "hg19", 51, 1000),
    "chr20.R50.merged.1.330k.recode.small.vcf.gz": ("20", "hg19", 51, 7824),
    "testdata_chr22_48513151_50509881_phased.vcf.gz": ("chr22", "hg38", 7, 6738),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_a_sample_file_is_valid_and_summarised(name: str) -> None:
    data = (DATA / name).read_bytes()
    report = validate(io.BytesIO(data), Limits(min_samples=5))
    assert report.valid, report.findings
    assert report.findings == []
    assert report.summary is not None
    summary = report.summary
    assert (summary.chromosome, summary.build_detected, summary.samples, summary.variants) == EXPECTED[name]
    assert summary.phased is True
    assert summary.size_bytes == len(data)
    assert summary.first_position is not None
    assert summary.last_position is not None
    assert summary.first_position < summary.last_position


def test_the_seven_sample_file_breaks_only_the_minimum_of_twenty() -> None:
    data = (DATA / "testdata_chr22_48513151_50509881_phased.vcf.gz").read_bytes()
    report = validate(io.BytesIO(data), Limits(min_samples=20), build="hg38")
    assert not report.valid
    assert [finding.rule for finding in report.findings] == ["samples.too_few"]
    assert "7 samples" in report.findings[0].message


def test_every_rule_has_a_broken_file() -> None:
    assert set(BROKEN) == set(RULES)


@pytest.mark.parametrize("case", BROKEN.values(), ids=list(BROKEN))
def test_a_broken_file_gives_exactly_its_rule(case: Broken) -> None:
    report = validate(io.BytesIO(case.make()), case.limits, case.build)
    assert [finding.rule for finding in report.findings] == [case.rule]
    found = report.findings[0]
    assert found.severity == RULES[case.rule][0]
    assert found.fix == RULES[case.rule][1]
    assert report.valid == (found.severity == "warning")


@pytest.mark.parametrize(
    ("rule", "line", "column"),
    [
        ("record.columns", 501, None),
        ("position.unsorted", 602, None),
        ("genotype.invalid", 801, 30),
        ("genotype.unphased", 201, 40),
        ("chromosome.multiple", 901, None),
        ("header.meta_line", 2, None),
    ],
)
def test_a_finding_says_where(rule: str, line: int, column: int | None) -> None:
    case = BROKEN[rule]
    (found,) = validate(io.BytesIO(case.make()), case.limits, case.build).findings
    assert found.line == line
    assert str(line) in found.message
    names = lines()[2].decode().split("\t")
    assert found.sample == (names[column] if column else None)
    if found.sample:
        assert found.sample in found.message


def test_a_rule_broken_many_times_is_one_finding_with_the_count() -> None:
    rows = lines()
    rows[10:20] = [row.replace(b"\t0|1", b"\t0/1", 1) for row in rows[10:20]]
    (found,) = validate(io.BytesIO(joined(rows)), Limits()).findings
    assert found.rule == "genotype.unphased"
    assert found.line == 11
    assert "10 times" in found.message


def test_the_build_given_is_checked_and_the_build_shown_is_detected() -> None:
    data = (DATA / "testdata_chr22_48513151_50509881_phased.vcf.gz").read_bytes()
    report = validate(io.BytesIO(data), Limits(min_samples=5), build="hg19")
    assert [finding.rule for finding in report.findings] == ["chromosome.build_prefix"]
    assert "`22`" in report.findings[0].message
    assert report.summary is not None
    assert report.summary.build_detected == "hg38"


def test_genotypes_off_the_fast_path_are_checked_sample_by_sample() -> None:
    rows = lines()
    rows[3:13] = [
        row.replace(b"\tGT\t", b"\tGT:DS\t").replace(b"|1", b"|1:0.9").replace(b"|0", b"|0:0.1") for row in rows[3:13]
    ]
    header, *fields = rows[20].split(b"\t")
    rows[20] = b"\t".join([header, *fields[:3], b"G,T", *fields[4:8], b"2|0", *fields[9:]])  # multi-allelic
    rows[30] = b"\t".join(rows[30].split(b"\t")[:9] + [b"1"] * 51)  # haploid calls
    rows[40] = b"\t".join(rows[40].split(b"\t")[:9] + [b".|."] * 50 + [b"."])  # missing calls
    report = validate(io.BytesIO(joined(rows)), Limits())
    assert report.findings == []
    assert report.summary is not None
    assert report.summary.variants == 1000


@pytest.mark.parametrize("block_number", [1, 4, 9])
@pytest.mark.parametrize("distance", [40, 900, 2000])
def test_damaged_compressed_data_is_a_finding_never_an_exception(block_number: int, distance: int) -> None:
    data = bytearray(joined(lines()))
    offset = 0
    for _ in range(block_number):
        offset += int.from_bytes(data[offset + 16 : offset + 18], "little") + 1
    data[offset + distance] ^= 0x5A
    rules = [finding.rule for finding in validate(io.BytesIO(bytes(data)), Limits()).findings]
    assert len(rules) == 1
    assert rules[0] in {"stream.bad_block", "stream.crc"}
