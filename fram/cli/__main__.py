import sys

from fram.cli import main

sys.exit(main())
