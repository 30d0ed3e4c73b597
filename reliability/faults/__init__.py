"""The fault suite of `clerk serve` (see reliability/README.md)."""
