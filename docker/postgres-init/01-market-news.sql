-- Run by the postgres image once, when its data volume is first initialised
-- (/docker-entrypoint-initdb.d), as the POSTGRES_USER `airflow`.
-- The market-news store gets its own database on the same server as Airflow's metadata;
-- the store creates its tables itself (Alembic migrations) on first use.
CREATE DATABASE market_news OWNER airflow;
