"""alibaba cms: CloudMonitor alarm rules (metric and event), and their checks."""
