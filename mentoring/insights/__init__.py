"""Insights for coordinators: the home's key figures (dashboard), the needs-attention
signals (attention), the reports (reports) and the stored figures and signals that
keep those pages fast (snapshots)."""
