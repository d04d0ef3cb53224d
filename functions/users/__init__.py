"""The users domain: accounts (Cognito), profiles, roles, personal API tokens, stored external
service tokens, the platform's one authorizer and the audit log."""

DOMAIN = "users"  # its name in settings, events, logs and metrics
