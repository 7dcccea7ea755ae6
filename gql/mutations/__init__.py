"""Root mutation fields, one module per entity, merged into `Mutation` by gql/schema.py."""
