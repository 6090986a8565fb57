"""Salon Desk: front-desk software for Saudi hair and beauty salons."""

__version__ = "0.1.0"
