"""The monitoring page: read-only views of the store for people, as JSON and as HTML.

Plain Python like the rest of `market_news` (no Airflow import): `plugins/` mounts the
FastAPI app from `market_news.monitor.app` inside Airflow's api-server, and the same app
runs on its own under uvicorn for tests and screenshots. The package only ever reads
the store; `queries` is its whole view of the schema.
"""
