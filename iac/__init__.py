"""Infrastructure as code: checkov scans Terraform, our mapping turns its results into MLPS findings."""
