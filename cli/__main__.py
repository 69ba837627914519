"""``python -m cli``: the same as the ``mlps`` script."""

import sys

from cli.main import main

sys.exit(main())
