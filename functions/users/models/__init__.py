"""Pydantic models of the users domain: what its API takes and answers."""
