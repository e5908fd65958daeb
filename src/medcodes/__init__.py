"""medcodes: search all medical codes and explain each one in plain language."""

__version__ = "0.1.0"
