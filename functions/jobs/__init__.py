"""The jobs domain: imputation jobs submitted to external services, followed and brought back."""

DOMAIN = "jobs"
