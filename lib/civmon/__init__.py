"""civmon: reproducible policy monitoring reports for a civil-affairs bureau."""

__version__ = "0.1.0"
