"""alibaba ram: resource types, checks (YAML) and any non-generic collection code."""
