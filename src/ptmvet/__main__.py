"""python -m ptmvet."""

import sys

try:
    from ptmvet.cli import entry
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: exit as an interrupted command
    sys.exit(130)

if __name__ == "__main__":
    entry()
