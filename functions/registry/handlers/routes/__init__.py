"""The registry's HTTP routes, one module per aggregate, each loaded on the first request for one of
its routes (fip_core.api_function)."""
