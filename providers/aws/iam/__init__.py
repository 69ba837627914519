"""Collection code for aws iam where the generic spec interpreter is not enough."""
