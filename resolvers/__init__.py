"""resolvers layer (see DESIGN.md)."""
