"""Provider adapters: one subpackage per cloud. Resource types and checks are YAML beside them."""
