"""The demo's message panel: what the embedded cloud's console provider "sent" to customers."""
