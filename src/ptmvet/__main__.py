"""python -m ptmvet."""

from ptmvet.cli import entry

if __name__ == "__main__":
    entry()
