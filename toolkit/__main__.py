"""``python -m toolkit`` is the same as the ``fnt`` command."""

from toolkit.cli import main

raise SystemExit(main())
