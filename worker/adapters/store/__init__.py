"""`state.sqlite`: runs, ratings, the email ledger, the Google read cache, backups."""
