"""Pydantic models shared by the API, the services and every store."""
