# The C layout of facts.py's records for the modules that read them compiled (make speedups;
# vaktpost/compiled.py). Field for field the dataclass fields of facts.py.
cdef class Proposed:
    cdef public object label
    cdef public Py_ssize_t start
    cdef public Py_ssize_t end
    cdef public str rule
    cdef public object score

cdef class MessageFacts:
    cdef public dict hits
    cdef public list ages
    cdef public list proposed
    cdef public object age_question
    cdef public bint not_an_ask
    cdef public bint weak_ask
    cdef public object when
