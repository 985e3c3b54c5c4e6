import sys

if sys.argv[1:2] == ["daemon"]:
    import signal

    # SIGHUP asks the daemon to reload; until its handler is in place (daemon.run), the default
    # action would kill it. Held back from here, a SIGHUP stays pending and is then delivered as
    # the reload it asked for (the daemon unblocks it once the handler is set, before any child).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})

if sys.argv[1:] == ["health"]:
    # The HEALTHCHECK, every minute in every container: no argparse, no probes (mast/health.py).
    from mast.health import main
    sys.exit(main())

from mast.cli import main

sys.exit(main())
