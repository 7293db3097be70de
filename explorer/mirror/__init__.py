"""``explorer mirror``: real traffic through the Flask app, shadowed to its FastAPI port, compared by route.

After Diffy and GitHub's Scientist: the client gets Flask's answer, unchanged; the same request
goes to the FastAPI app (and, with ``noise``, to a second Flask) afterwards, from a bounded queue,
and the answers are compared with parity's comparer. Plain Python, no Textual: a screen can draw
:class:`~explorer.mirror.tally.Tally` as the command line does.
"""
