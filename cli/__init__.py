"""The ``mlps`` command line: one module per subcommand (``add_arguments(parser)``, ``run(args) -> exit code``).

The CLI sits on top of everything else: it may import the core (``scanner``), the renderers (``reports``),
the adapters (``providers``) and the IaC wrapper (``iac``); none of those imports it.
"""
