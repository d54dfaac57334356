"""Scale-out: sync cycles as Celery tasks on many workers and machines.

Redis is the Celery broker, holds one lock per connection so that one cycle
of a connection runs at a time, and keeps the rate budgets that every worker
using one Back Market token shares. The store is a PostgreSQL database that
every worker opens. The plugin and the sync engine are the same as in the
single-process host.

Start a worker with ``celery -A commercium_connector.scale.app worker`` and
the schedule with ``celery -A commercium_connector.scale.app beat``; the
settings come from environment variables (see ``settings``).
"""
