"""The AI service and its providers (local, openai, anthropic)."""
