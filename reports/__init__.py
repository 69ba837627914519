"""Report renderers. Each takes the same findings, roll-up and catalogue; none recomputes a status."""
