"""``python -m models.sentiment <step>``."""

import sys

from models.sentiment.cli import main

sys.exit(main())
