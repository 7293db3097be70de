"""An app whose import fails, as a user's app with a typo would."""

raise RuntimeError("this module is broken on purpose")
