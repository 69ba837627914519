"""AWS whole-account resource listing (the location sweep): Resource Explorer, AWS Config, or the tagging API."""
