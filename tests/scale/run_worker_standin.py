"""`vaktpost worker` with the stand-in detector in place of the text stage (for subprocess tests)."""

import sys

import vaktpost.scan
from tests.scale.standin import standin_batch

vaktpost.scan.scan_conversations = standin_batch

from vaktpost.cli import app

if __name__ == "__main__":
    app(sys.argv[1:], prog_name="vaktpost")
