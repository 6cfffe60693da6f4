"""SDKs: the website snippet ``ls.js`` (served by the API) and the Python client.

``ls.src.js`` is the readable source; ``ls.js`` is its committed minified build
(``scripts/build-sdk.sh``), so a Python-only install serves it without Node.
"""
