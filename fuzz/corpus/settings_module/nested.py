import os
if os.environ.get("X"):
    DEBUG = True
else:
    DEBUG = False
def helper(x):
    return x
TIME_ZONE = helper("UTC")
CACHES = {
    "default": {"BACKEND": "a.b", "LOCATION": ["h:1"]},
}
