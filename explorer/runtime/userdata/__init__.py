"""What a user hands over: files (``datafile``, the one loader), env files (``envfile``) and the bounds every
piece of outside data is measured and parsed within (``bounded``).
"""
