"""What a validation is given and what it answers: the limits, the findings and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Build = Literal["hg19", "hg38"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Limits:
    """The servers' configurable limits, and the bounds that keep a validation's memory constant."""

    min_samples: int = 20
    max_samples: int = 50_000
    # a longer line is refused rather than held: 50,000 samples with a few FORMAT fields fit easily
    max_line_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, how bad, what is wrong and where, and how to fix it."""

    rule: str
    severity: Severity
    message: str
    fix: str
    line: int | None = None
    chromosome: str | None = None
    position: int | None = None
    sample: str | None = None


@dataclass(frozen=True)
class Summary:
    """What the file holds, as far as it could be read."""

    chromosome: str | None
    build_detected: Build | None
    samples: int
    variants: int
    phased: bool | None
    first_position: int | None
    last_position: int | None
    size_bytes: int
    sha256: str | None


@dataclass(frozen=True)
class Report:
    """The outcome of one validation."""

    findings: list[Finding] = field(default_factory=list)
    summary: Summary | None = None

    @property
    def valid(self) -> bool:
        """Whether an imputation server would accept the file: no finding is an error."""
        return not any(finding.severity == "error" for finding in self.findings)


class StreamError(Exception):
    """The file cannot be read on: carries the finding that says why."""

    def __init__(self, found: Finding) -> None:
        super().__init__(found.message)
        self.finding = found


# rule id -> (severity, how to fix it); the message, built where the problem is found, says what and where
RULES: dict[str, tuple[Severity, str]] = {
    "format.empty": ("error", "Upload the bgzipped VCF itself; the uploaded file is empty."),
    "format.plain_gzip": (
        "error",
        "Recompress with bgzip so the file can be indexed: `zcat in.vcf.gz | bgzip -c > out.vcf.gz` "
        "(or `bcftools view -Oz -o out.vcf.gz in.vcf.gz`).",
    ),
    "format.uncompressed_vcf": ("error", "Compress it with bgzip: `bgzip in.vcf` (then `tabix -p vcf in.vcf.gz`)."),
    "format.plink": (
        "error",
        "Convert the PLINK fileset to one bgzipped VCF per chromosome: "
        "`plink2 --bfile <prefix> --chr <N> --export vcf bgz id-paste=iid --out chr<N>`.",
    ),
    "format.bgen": (
        "error",
        "Convert the BGEN file to a bgzipped VCF: "
        "`plink2 --bgen in.bgen ref-first --sample in.sample --export vcf bgz --out out`.",
    ),
    "format.not_vcf": (
        "error",
        "Upload a bgzipped VCF (`*.vcf.gz`): convert PLINK text files with "
        "`plink2 --pedmap <prefix> --export vcf bgz --out out`, other formats with bcftools.",
    ),
    "stream.bad_block": (
        "error",
        "The compressed data is damaged: upload the file again, or recompress it from the original with "
        "`bcftools view -Oz -o out.vcf.gz in.vcf`.",
    ),
    "stream.crc": (
        "error",
        "A block's checksum does not match its content (the file was damaged in transit or on disk): "
        "upload it again from the original.",
    ),
    "stream.truncated": (
        "error",
        "The file ends in the middle of a compressed block: upload the complete file "
        "(compare its size and checksum with the original).",
    ),
    "stream.missing_eof": (
        "error",
        "The file lacks bgzip's end-of-file block, so it is probably incomplete: upload the complete file, "
        "or recompress it with `bgzip`.",
    ),
    "stream.line_cut": (
        "error",
        "The last line is cut short (no end of line): upload the complete file, or re-export it with "
        "`bcftools view -Oz -o out.vcf.gz in.vcf.gz`.",
    ),
    "record.line_too_long": ("error", "Split the file or drop FORMAT fields: `bcftools annotate -x FORMAT`."),
    "record.columns": (
        "error",
        "Every record needs the 8 fixed columns, FORMAT and one column per sample, separated by tabs: "
        "check the file with `bcftools view in.vcf.gz > /dev/null`.",
    ),
    "header.fileformat": (
        "error",
        "The first line must be `##fileformat=VCFv4.x`: re-export the file with bcftools or plink2.",
    ),
    "header.meta_line": ("error", "Header lines are `##key=value`: fix or remove the line."),
    "header.chrom_line": (
        "error",
        "The header must end with the tab-separated line "
        "`#CHROM POS ID REF ALT QUAL FILTER INFO FORMAT <samples...>`: re-export the file with bcftools.",
    ),
    "samples.too_few": ("error", "Add samples, or merge files of the same chromosome: `bcftools merge`."),
    "samples.too_many": (
        "error",
        "Split the samples into several files: `bcftools view -S samples_part1.txt -Oz -o part1.vcf.gz in.vcf.gz`.",
    ),
    "samples.duplicate": (
        "error",
        "Give every sample a unique ID: `bcftools reheader -s new_names.txt -o out.vcf.gz in.vcf.gz`.",
    ),
    "chromosome.multiple": (
        "error",
        "Upload one file per chromosome: `bcftools view -r <chrom> -Oz -o chr<N>.vcf.gz in.vcf.gz` (after tabix).",
    ),
    "chromosome.not_allowed": (
        "error",
        "Only chromosomes 1-22, X and MT are imputed: drop the others with `bcftools view -t ^<chrom>`.",
    ),
    "chromosome.build_prefix": (
        "error",
        "hg19 names chromosomes without `chr` (`20`), hg38 with it (`chr20`): choose the right build, or rename "
        "with `bcftools annotate --rename-chrs map.txt` (lines `20 chr20` or `chr20 20`).",
    ),
    "position.invalid": ("error", "POS must be a whole number from 1: fix the record or drop it."),
    "position.unsorted": ("error", "Sort the file: `bcftools sort -Oz -o sorted.vcf.gz in.vcf.gz`."),
    "alleles.invalid": (
        "error",
        "REF must be bases (A, C, G, T, N) and ALT bases, `*`, `.` or a symbolic `<...>` allele, comma-separated: "
        "drop the record with bcftools view -e, or normalise with `bcftools norm`.",
    ),
    "genotype.missing_gt": (
        "error",
        "The servers impute genotypes: FORMAT must start with GT. Export genotypes "
        "(`plink2 --export vcf bgz`), not dosages alone.",
    ),
    "genotype.invalid": (
        "error",
        "A genotype is alleles (0 for REF, 1.. for the ALTs, `.` for missing) separated by `|` or `/`: "
        "fix the record or set it missing with `bcftools +setGT`.",
    ),
    "genotype.unphased": (
        "warning",
        "Unphased genotypes are accepted, but the job must run a phasing engine (`eagle` or `beagle`), "
        "which takes longer; choose one when you submit.",
    ),
    "variants.none": ("error", "The file has no variant records: export the genotypes again."),
}


def finding(
    rule: str,
    message: str,
    *,
    line: int | None = None,
    chromosome: str | None = None,
    position: int | None = None,
    sample: str | None = None,
) -> Finding:
    """A finding of `rule`, with the rule's severity and fix."""
    severity, fix = RULES[rule]
    return Finding(rule, severity, message, fix, line, chromosome, position, sample)
