"""The MongoDB store, on PyMongo's native async client (`pymongo.AsyncMongoClient`)."""

from my_flow_api.repositories.mongo.store import MongoStore, make_client

__all__ = ["MongoStore", "make_client"]
