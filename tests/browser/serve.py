"""Serve the app for the browser tests: ``python -m tests.browser.serve``.

Runs in its own process so its database binding never touches the test run's
shared ``db`` singleton. The database comes from ``TEST_DATABASE_URL`` (the Test
configuration reads it); the chosen port is printed on the first line of stdout.
"""
from __future__ import annotations

import logging
import sys

from werkzeug.serving import make_server

from config import Test
from destinations import create_app


def main() -> None:
    # One line per request would bury the tracebacks that matter when a test fails.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(Test)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
