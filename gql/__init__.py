"""gql layer (see DESIGN.md)."""
