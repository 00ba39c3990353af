"""pytest plugin (filled in by the harness)."""
