"""Adapters to the external imputation services, one module per protocol behind one interface
(`base.ImputationServiceAdapter`): Cloudgene API v2 (`cloudgene`) and GA4GH WES (`wes`)."""
