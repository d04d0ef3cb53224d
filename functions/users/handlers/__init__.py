"""Lambda entry points of the users domain: thin transport over the logic."""
