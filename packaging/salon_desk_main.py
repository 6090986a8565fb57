"""The frozen desk's entry point (PyInstaller runs this file as `__main__`)."""

import sys

from salon_desk.cli import desk_main

if __name__ == "__main__":
    sys.exit(desk_main())
