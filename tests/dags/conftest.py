"""Fixtures for running the DAGs in-process with `dag.test()`.

`tests/conftest.py` points Airflow at a throwaway home with SQLite metadata before
Airflow is imported; `airflow_db` creates that metadata database once per session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata schema in the session's SQLite file (created once)."""
    from airflow.utils.db import initdb

    initdb()


@pytest.fixture(scope="session")
def project_dags(airflow_db: None) -> dict[str, Any]:
    """The project's DAG objects by id, parsed once."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}
    return dict(bag.dags)


@pytest.fixture
def no_retries(project_dags: dict[str, Any]) -> Iterator[None]:
    """Failures fail at once (the real DAGs retry with back-off, minutes apart)."""
    saved = {
        (dag_id, task.task_id): task.retries
        for dag_id, dag in project_dags.items()
        for task in dag.tasks
    }
    for dag in project_dags.values():
        for task in dag.tasks:
            task.retries = 0
    yield
    for dag_id, dag in project_dags.items():
        for task in dag.tasks:
            task.retries = saved[(dag_id, task.task_id)]
