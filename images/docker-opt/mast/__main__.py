import sys

from mast.cli import main

sys.exit(main())
