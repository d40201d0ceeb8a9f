"""Stream workers: consume canonical message records from a broker, import them idempotently,
analyse the conversations they touch, and acknowledge only after the findings are committed."""
