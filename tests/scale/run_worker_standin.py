"""`vaktpost worker` with the stand-in detector in place of the text stage (for subprocess tests)."""

import sys

import vaktpost.scan
from tests.scale.standin import standin_detector

vaktpost.scan.scan_conversation = standin_detector

from vaktpost.cli import app

if __name__ == "__main__":
    app(sys.argv[1:], prog_name="vaktpost")
