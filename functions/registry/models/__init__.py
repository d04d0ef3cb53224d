"""Pydantic models of the registry: what the API takes and answers."""
