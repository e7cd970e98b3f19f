"""The live preview: a local web server showing one blueprint's design page.

The server lives in :mod:`mlsd_diagram.preview.server` (it needs the ``preview``
extra: starlette, uvicorn, watchfiles); the page's assets are in ``static/``
and are also inlined by the offline report (:mod:`mlsd_diagram.outputs.report`).
Importing this package imports none of the server libraries.
"""
