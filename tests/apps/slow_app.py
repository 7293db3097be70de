"""An app that takes far too long to import: the supervisor must give up on it, not hang."""

import time

time.sleep(120)
app = None
