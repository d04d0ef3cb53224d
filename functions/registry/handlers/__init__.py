"""Lambda entry points of the registry: thin transport over the logic."""
