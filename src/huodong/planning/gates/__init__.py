"""The gates of the planning steps; ``events`` finds this module with ``autodiscover_modules("gates")``."""

from . import approval, needs_goals, plan  # noqa: F401  each registers its criteria on import
