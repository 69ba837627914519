"""CloudWatch metric alarms."""
