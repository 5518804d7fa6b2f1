"""Backend Dojo tooling: pytest plugin, curriculum, CLI and self-check."""
