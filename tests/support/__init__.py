"""Helpers shared by the tests: databases cloned from a migrated template, acting as API roles."""
