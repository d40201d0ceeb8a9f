# The C layout of ages.AgeMention for the modules that read it compiled (make speedups).
cdef class AgeMention:
    cdef readonly Py_ssize_t value
    cdef readonly Py_ssize_t start
    cdef readonly Py_ssize_t end
    cdef readonly str kind
