"""Bullying incidents: models arrive with this app's issue (see ARCHITECTURE.md)."""
