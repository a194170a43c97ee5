"""The chat page: static files shipped inside the package, served at `/`."""
