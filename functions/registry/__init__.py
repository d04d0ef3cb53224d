"""The service registry domain: imputation services, their reference panels and their health."""
