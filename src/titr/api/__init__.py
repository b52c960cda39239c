"""The REST API (FastAPI): one router per resource, errors as problem+json (RFC 9457).

`create_app()` builds the application; `titr serve` runs it under uvicorn.
"""

from titr.api.app import create_app

__all__ = ["create_app"]
