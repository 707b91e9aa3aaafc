"""``python -m relaydesk``: the same entry point as the ``relaydesk`` command."""

from __future__ import annotations

import sys

from relaydesk.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
