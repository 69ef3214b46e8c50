try:
    from .private import *
except ImportError, e:
    pass
print "loaded"
exec "X = 1"
