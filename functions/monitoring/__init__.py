"""The monitoring domain: dashboards of jobs and services, kept from the other domains' events."""

DOMAIN = "monitoring"
