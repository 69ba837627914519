"""The MLPS requirement catalogue and the check-to-requirement links, as YAML data."""
