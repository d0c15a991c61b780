"""Anti-Bullying Charter: models arrive with this app's issue (see ARCHITECTURE.md)."""
