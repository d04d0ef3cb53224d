"""Data access of the registry: tables and the repository over them."""
