"""Collection code for aws ec2 where the generic spec interpreter is not enough."""
