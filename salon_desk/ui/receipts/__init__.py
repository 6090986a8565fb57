"""Receipts: simplified tax invoices and credit notes on the 80 mm roll and A4, Arabic first, with the ZATCA QR."""

from salon_desk.ui.receipts.layout import Paper, ReceiptOptions, receipt_rows
from salon_desk.ui.receipts.render import print_receipt, qr_matrix, render_image, render_pdf

__all__ = ["Paper", "ReceiptOptions", "print_receipt", "qr_matrix", "receipt_rows", "render_image", "render_pdf"]
