"""aws securityhub: resource types and checks (YAML only)."""
