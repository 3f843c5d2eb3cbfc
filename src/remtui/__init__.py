"""remtui: the client desk of a repair shop, in the terminal."""

__version__ = "0.1.0"
