"""Human review: the leased queue, decisions with four-eyes, cases, wellness defaults and the
hash-chained audit log. Pure SQLAlchemy Core on the store's engine; the web app sits on top.
"""
