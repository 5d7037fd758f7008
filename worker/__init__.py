"""mohinh."""
