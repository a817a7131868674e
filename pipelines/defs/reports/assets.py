"""Report assets: the executive PDF and one PDF per vendor, for the last month of the run."""
report_assets: list = []
