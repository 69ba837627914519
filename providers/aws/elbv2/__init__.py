"""aws elbv2: resource types and checks (YAML only)."""
