"""The service registry domain: imputation services, their reference panels and their health."""

DOMAIN = "registry"  # its name in settings, events, logs and metrics
