"""alibaba kvstore: resource types, checks (YAML) and any non-generic collection code."""
