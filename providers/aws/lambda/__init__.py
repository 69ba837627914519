"""aws lambda: resource types and checks (YAML only)."""
