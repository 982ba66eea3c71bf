"""Pure rules of the alliances app (no database): matching score, expert statistics, demand buckets."""
