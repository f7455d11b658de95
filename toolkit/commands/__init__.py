"""Sub-commands of ``fnt``: one module per command group, each with ``register(subparsers)``."""
