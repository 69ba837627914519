"""aws eks: resource types and checks (YAML only)."""
