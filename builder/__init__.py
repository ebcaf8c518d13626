"""Counterpoint: build an interlinked, offline-readable annotated reader from essays and YAML notes."""

__version__ = "0.2.0"
