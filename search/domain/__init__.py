"""Pure search rules (no database): text normalisation, tokens, query shape, highlighting."""
