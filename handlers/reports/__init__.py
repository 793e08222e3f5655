"""Reports: filing (quick and guided), receipts, escalation and take-up, corrections, history."""
