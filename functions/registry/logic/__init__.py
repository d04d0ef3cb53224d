"""Rules of the registry, free of HTTP, AWS and SQL."""
