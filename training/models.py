"""SEND Support training: models arrive with this app's issue (see ARCHITECTURE.md)."""
