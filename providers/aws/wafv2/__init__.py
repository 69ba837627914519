"""aws wafv2: resource types and checks (YAML only)."""
