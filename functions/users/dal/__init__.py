"""Data access of the users domain."""
