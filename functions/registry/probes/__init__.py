"""Probes that ask an external imputation service whether it is up and what it is."""
