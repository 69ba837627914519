"""aws location: resource types and checks (YAML only)."""
