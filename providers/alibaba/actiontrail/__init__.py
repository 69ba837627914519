"""alibaba actiontrail: resource types, checks (YAML) and any non-generic collection code."""
