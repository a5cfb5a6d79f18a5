"""The web server's limits, one place for the application, the pool and the server."""

BODY_LIMIT = 64 * 1024  # bytes of request body; beyond it, 413
TIME_LIMIT = 5.0  # seconds from a request's arrival to its answer, waiting included; beyond it, 422 or 503
READ_TIMEOUT = 10.0  # seconds for a request's headers, and again for its body, to arrive; beyond it, 408
CONNECTION_LIMIT = 512  # open connections; beyond it, 503 before reading
CLIENT_CONNECTION_LIMIT = 64  # open connections from one address; beyond it, 503 before reading
QUEUE_LIMIT = 128  # requests waiting for a worker; beyond it, 503
CLIENT_QUEUE_LIMIT = 32  # requests from one address waiting for a worker; beyond it, 503
