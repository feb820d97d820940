"""The workflow's plumbing: one function per rule (:mod:`.stages`), job resources
(:mod:`.resources`) and the thin scripts' helpers (:mod:`.support`).

Nothing is imported here: a rule's script imports :mod:`.support` first, to set the
BLAS thread count before numpy loads.
"""
