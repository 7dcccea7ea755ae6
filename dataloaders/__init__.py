"""Per-request DataLoaders: one loader per (entity, key), one SQL statement per batch."""
