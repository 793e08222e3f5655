"""Election logistics: /logistik (chain, grid, plan, withdraw), confirmations and kendala,
late announcements."""
