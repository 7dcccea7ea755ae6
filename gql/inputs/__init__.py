"""GraphQL input types: filters and the create/update inputs of each entity."""
