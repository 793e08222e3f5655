"""Administration tools: backups."""
