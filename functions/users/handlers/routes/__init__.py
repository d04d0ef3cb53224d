"""The users domain's HTTP routes, grouped by what they are about, each module loaded on the first
request for one of its routes (fip_core.api_function)."""
