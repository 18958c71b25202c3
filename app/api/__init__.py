"""HTTP layer: thin routes over the engine; domain errors are mapped to HTTP in errors.py."""
