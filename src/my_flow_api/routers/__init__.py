"""HTTP routers: thin adapters from requests to repositories and services."""
