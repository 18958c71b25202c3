"""storywire: near-duplicate detection and story clustering for crawled news pages."""

__version__ = "0.1.0"
