"""The checkout screen (issue #11): bills, split tender, receipts, refunds and the daily close."""
