"""The sample province of `mohinh init --demo`."""
