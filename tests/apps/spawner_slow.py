"""The spawning app, but its import then takes far too long: the explorer is still starting it."""

import time

from spawner_app import app as _app

time.sleep(120)
app = _app
