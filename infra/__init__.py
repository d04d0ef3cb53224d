"""The CDK app (Python) that defines the platform in AWS. `infra.domains` lists the domains and
imports no CDK, so that the local platform can read it too."""
