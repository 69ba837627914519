"""aws cloudtrail: resource types and checks (YAML only)."""
