"""Services: the AI assistant and what the endpoints orchestrate."""
