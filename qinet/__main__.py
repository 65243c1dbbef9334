"""``python -m qinet``: see ``qinet.cli``."""

from qinet.cli import main

raise SystemExit(main())
