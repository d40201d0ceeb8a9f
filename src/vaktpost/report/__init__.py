"""Reporting: CyberTipline reports through a durable outbox, and referral packages."""
