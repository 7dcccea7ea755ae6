"""dataloaders layer (see DESIGN.md)."""
