"""Deliver: e-mail the built briefs (addresses, messages, SMTP with retries, the sent-log).

``send`` puts these together; nothing here renders a brief.
"""
