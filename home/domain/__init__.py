"""Pure editorial rules: no database, no Django models."""
