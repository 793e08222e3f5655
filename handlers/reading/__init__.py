"""Reading reports: status, lists, search, export and charts."""
