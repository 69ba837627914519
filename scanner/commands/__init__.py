"""One module per ``mlps`` subcommand: ``add_arguments(parser)`` and ``run(args) -> exit code``."""
