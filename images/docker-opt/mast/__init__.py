"""mast: Multiple Auto-SSH Tunnels, the tunnel daemon of docker-opt."""

__version__ = "2.0.0"
