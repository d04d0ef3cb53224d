"""Pre-flight validation of genotype files: the rules the imputation servers apply, checked on a
bgzipped VCF streamed in constant memory, in one pass or in byte ranges merged."""

from files.validation.engine import (
    LocalFile,
    RangeResult,
    RangeRunner,
    RangeSource,
    merge,
    plan,
    read_header,
    validate,
    validate_parallel,
    validate_range,
)
from files.validation.model import RULES, Build, Finding, Limits, Report, Summary
from files.validation.records import Header

__all__ = [
    "RULES",
    "Build",
    "Finding",
    "Header",
    "Limits",
    "LocalFile",
    "RangeResult",
    "RangeRunner",
    "RangeSource",
    "Report",
    "Summary",
    "merge",
    "plan",
    "read_header",
    "validate",
    "validate_parallel",
    "validate_range",
]
