"""Collection code for aws guardduty where the generic spec interpreter is not enough."""
