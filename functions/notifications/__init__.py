"""The notifications domain: email and in-app messages about jobs, files and services, each sent once."""

DOMAIN = "notifications"
