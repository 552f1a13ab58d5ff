"""Civic Pulse models: sentiment, topics, entities."""
