"""alibaba inventory: the whole-account location sweep through Resource Center, and its checks."""
