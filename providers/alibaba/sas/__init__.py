"""alibaba sas: resource types, checks (YAML) and any non-generic collection code."""
