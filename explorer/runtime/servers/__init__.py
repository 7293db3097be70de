"""The servers: what to run (``specs``), how it is launched (``launch``, ``prestart``), the supervisor that
starts, watches and stops each app in its own process (``supervisor``) under a keeper (``kept``), the
bounded log of each (``logbuffer``) and the installed versions (``versions``).

Knows nothing of the HTTP client: a server is ready when its socket answers.
"""
