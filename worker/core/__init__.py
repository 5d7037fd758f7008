"""The pure core: cells, layouts, records, reading one tab (tabs), the checks across tabs
(validation), months, the rules, results, calendars, settings and errors. Imports no I/O
library and nothing above it."""
