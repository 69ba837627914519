"""mlps-scanner: checks cloud accounts and IaC against MLPS 2.0 (GB/T 22239-2019).

Supported API: :mod:`scanner.inventory` (load/save), :mod:`scanner.catalogue` (requirements),
:mod:`scanner.checks` (load checks), :mod:`scanner.engine` (evaluate), :mod:`scanner.rollup`
(requirement statuses) and :mod:`scanner.findings` (write/read findings). Everything else is internal.
"""

__version__ = "0.1.0"
