"""Randomized exam papers: a template's draws and requirements (:mod:`.variants`), and what
``symopt exam`` writes from them (:mod:`.papers`).  It imports only downward, from the core modules
of :mod:`symopt` (a variant is solved by :func:`symopt.sheet.solve`)."""
