"""Restaurant mode: floor, tables, orders to the kitchen, split bills (issue 12)."""
