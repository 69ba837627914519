"""aws logs: resource types and checks (YAML only)."""
