# The market-news image: the official Airflow image plus this project's pinned lock and the
# `market_news` package (with its `market-news` command). docker-compose.yaml builds it.
#
# The base image's Airflow version must equal the `apache-airflow==` pin in requirements.txt
# (tests/test_compose.py checks it), so installing the lock never swaps Airflow underneath.
FROM apache/airflow:3.3.2-python3.11

USER airflow
WORKDIR /opt/airflow

# Dependencies first: this layer is rebuilt only when the lock changes.
COPY --chown=airflow:0 requirements.txt /opt/airflow/requirements.txt
RUN pip install --no-cache-dir -r /opt/airflow/requirements.txt

# The package itself, without dependencies (the lock above already has them all).
COPY --chown=airflow:0 pyproject.toml README.md /tmp/market-news/
COPY --chown=airflow:0 include/market_news /tmp/market-news/include/market_news
RUN pip install --no-cache-dir --no-deps /tmp/market-news \
    && rm -rf /tmp/market-news \
    && market-news --help >/dev/null

# DAGs, plugins and include/ (feeds.yaml, sample feeds) baked in, so the image also runs
# without the bind mounts that docker-compose.yaml adds for development.
COPY --chown=airflow:0 include /opt/airflow/include
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins
