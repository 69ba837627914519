"""aws macie2: resource types and checks (YAML only)."""
