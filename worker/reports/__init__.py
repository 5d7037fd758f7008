"""Pure builders of the province's outputs: evaluations in, tables and document models out."""
