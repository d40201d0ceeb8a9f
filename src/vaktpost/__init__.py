"""vaktpost: find, review and report child exploitation traded over chat platforms."""

__version__ = "0.1.0"
__all__ = ["__version__"]
