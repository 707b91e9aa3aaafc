"""Entry script for the PyInstaller bundle (PyInstaller wants a script, not an entry point).

It is the `relaydesk` console script: subcommands run headless, no subcommand opens the app.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    # A frozen app that starts worker processes (spawn) must let the child take this path.
    multiprocessing.freeze_support()
    from relaydesk.cli.main import main

    sys.exit(main())
