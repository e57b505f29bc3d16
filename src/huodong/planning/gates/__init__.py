"""Gate criteria of the planning steps; every module here registers its own on import (see apps.py)."""
