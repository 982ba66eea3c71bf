"""Pure station rules, no database: working calendar, response deadlines, slots, distance, coverage."""
