"""Collection code for aws config where the generic spec interpreter is not enough."""
