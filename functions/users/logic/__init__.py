"""Rules of the users domain, free of HTTP, AWS and SQL."""
