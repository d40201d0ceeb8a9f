"""Engines run the pure scan core over stored data: `local` here, others at scale."""
