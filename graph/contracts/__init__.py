"""Contract import: tables (CSV folder or .xlsx) -> one Turtle file / named graph per contract."""
