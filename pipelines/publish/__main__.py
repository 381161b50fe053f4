"""`python -m pipelines.publish [PACKAGE_DIR ...] [--ckan-url URL] [--dry-run]`."""

import sys

from pipelines.publish.cli import main

sys.exit(main())
