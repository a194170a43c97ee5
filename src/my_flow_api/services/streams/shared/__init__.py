"""Streams shared by several replicas through Redis (used when `REDIS_URL` is set)."""
