"""A local web app that walks office staff through a whole review in the browser.

The app runs on 127.0.0.1 only and keeps every upload, setting and result in a data
folder on the same computer. `server.serve` starts it; `app.create_app` builds it.
"""

# Largest DOJ file the web app accepts when `autoclear serve` is given no --max-upload-gb.
DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024**3
