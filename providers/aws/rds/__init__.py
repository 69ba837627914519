"""aws rds: resource types and checks (YAML only)."""
