"""aws adapter package: resource types and checks live in the service folders as YAML."""
