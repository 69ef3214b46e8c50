from .common import *
PLATFORM_NAME = "Acme"
FEATURES["ENABLE_X"] = True
FEATURES.update({"A": 1, "B": [1, 2]})
INSTALLED_APPS += ["acme"]
del FEATURES["OLD"]
MIDDLEWARE.append("x.y")
