"""Letters (来信): keyed in one by one by staff, or imported in batches from CSV and scans."""
