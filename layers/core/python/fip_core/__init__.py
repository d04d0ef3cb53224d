"""Shared core of the Federated Imputation Platform, deployed as a Lambda layer.

Configuration, database access, migrations, problem-JSON errors, observability, the EventBridge
publisher and outbox, the HTTP API resolver set-up and the per-domain declaration types.
"""
