# The C layout of dialogue.py's records for the modules that read them compiled (make speedups).
from vaktpost.text.facts cimport MessageFacts

cdef class Turn:
    cdef public str sender
    cdef public tuple recipients
    cdef public MessageFacts facts
    cdef public Py_ssize_t pos
    cdef public bint customer

cdef class ConversationState:
    cdef public dict pending
    cdef public dict age_asked
    cdef public dict age_asked_at
    cdef public bint about_child
    cdef public set self_minor
    cdef public dict last_turn
    cdef public set confirmed
    cdef public set asked
