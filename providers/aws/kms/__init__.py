"""aws kms: resource types and checks (YAML only)."""
