"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'assess:create_app()'`.

Every value can be overridden from the environment (GUNICORN_*), as the platform needs.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers sit behind a buffering reverse proxy (nginx, a load balancer).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Load the app once in the master: a broken questions.yaml stops the server at start,
# listing every problem, instead of failing worker after worker.
preload_app = True
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus id=%({x-request-id}o)s'
# The proxy in front sets X-Forwarded-*; the app trusts PROXY_COUNT hops (ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
