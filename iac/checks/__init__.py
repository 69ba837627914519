"""MLPS checks checkov lacks, written as checkov custom checks (loaded with ``external_checks_dir``).

Importing a module registers its check in checkov's registry, so this folder is only ever loaded by
checkov itself, never imported by the rest of the tool.
"""
