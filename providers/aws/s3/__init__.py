"""Collection code for aws s3 where the generic spec interpreter is not enough."""
