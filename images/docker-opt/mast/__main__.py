import sys

if sys.argv[1:] == ["health"]:
    # The HEALTHCHECK, every minute in every container: no argparse, no probes (mast/health.py).
    from mast.health import main
    sys.exit(main())

from mast.cli import main

sys.exit(main())
