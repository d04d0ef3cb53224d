"""The whole platform on one machine: a local HTTP gateway in front of the very Lambda handlers that
deploy, moto in server mode for the AWS services, SQLite per domain, and the CDK app's schedules and
event rules fired locally. Start it with `make run`."""
