"""The pure core: cells, layouts, records, validation, the rules, results, calendars,
settings and errors. Imports no I/O library and nothing above it."""
