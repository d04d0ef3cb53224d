"""Adapters of the users domain to AWS: Cognito, KMS and the pool's signing keys."""
