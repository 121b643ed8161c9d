"""Email delivery of briefs: addresses, message building, SMTP with retries, and the sent-log.

``briefs.send`` puts these together; nothing here builds briefs.
"""
