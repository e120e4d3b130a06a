"""Static checks of the production stack: docker-compose.yaml, Dockerfile, .dockerignore.

No Docker engine runs here, so these read the files and assert the shape that matters:
CeleryExecutor on PostgreSQL and Redis, every Airflow component built from the project's
image with the project's folders mounted, health checks that the start-up order waits on,
the image's Airflow version equal to the lock's, and no secret written into the files.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PG_INIT_DIR = ROOT / "docker" / "postgres-init"

CORE_SERVICES = {
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
}
#: Long-running Airflow components that start only after the init job has finished.
COMPONENTS = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
}
SECRET_PATTERNS = [
    re.compile(r"xox[abposr]-[0-9A-Za-z-]+"),  # Slack tokens of every kind
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _airflow_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every service that runs Airflow itself (built from the project's image)."""
    return {
        name: svc
        for name, svc in services.items()
        if name.startswith("airflow-") or name == "flower"
    }


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment is written as a mapping"
    return {str(k): str(v) for k, v in env.items()}


def _healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def _with_defaults(value: str) -> str:
    """`value` as compose would read it with no variables set: `${X:-d}` -> `d`, `${X}` -> ``."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}", lambda m: m.group(1) or "", value)


def _volume_targets(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path of the service's bind mounts and volumes."""
    targets = {}
    for volume in service.get("volumes", []):
        source, target, *_ = _with_defaults(str(volume)).split(":")
        targets[target] = source
    return targets


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _lock_airflow_version() -> str:
    match = re.search(
        r"^apache-airflow==([0-9][^\s;#]*)", (ROOT / "requirements.txt").read_text(), re.M
    )
    assert match, "requirements.txt pins apache-airflow"
    return match.group(1)


# --- services -------------------------------------------------------------------------


def test_all_services_are_defined(services: dict[str, dict[str, Any]]) -> None:
    missing = CORE_SERVICES - services.keys()
    assert not missing, f"missing services: {sorted(missing)}"


def test_flower_is_optional(services: dict[str, dict[str, Any]]) -> None:
    assert "flower" in services
    assert services["flower"].get("profiles") == ["flower"]
    assert services["flower"]["command"] == "celery flower"
    for name in CORE_SERVICES:
        assert not services[name].get("profiles"), f"{name} must start by default"


@pytest.mark.parametrize(
    ("service", "command"),
    [
        ("airflow-apiserver", "api-server"),
        ("airflow-scheduler", "scheduler"),
        ("airflow-dag-processor", "dag-processor"),
        ("airflow-worker", "celery worker"),
        ("airflow-triggerer", "triggerer"),
    ],
)
def test_each_component_runs_its_command(
    services: dict[str, dict[str, Any]], service: str, command: str
) -> None:
    assert services[service]["command"] == command


def test_backing_services_images(services: dict[str, dict[str, Any]]) -> None:
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:")


# --- the common anchor: one image, one configuration ------------------------------------


def test_common_anchor_builds_the_project_image(compose: dict[str, Any]) -> None:
    common = compose["x-airflow-common"]
    build = common["build"]
    context = build if isinstance(build, str) else build.get("context")
    assert context == "."
    assert "apache/airflow" not in str(common.get("image", "")), "the image is built, not pulled"


def test_every_airflow_service_uses_the_common_image(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    common = compose["x-airflow-common"]
    airflow = _airflow_services(services)
    assert COMPONENTS | {"airflow-init"} <= airflow.keys()
    for name, svc in airflow.items():
        assert svc.get("build") == common["build"], name
        assert svc.get("image") == common.get("image"), name


def test_every_airflow_service_mounts_the_project(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in _airflow_services(services).items():
        targets = _volume_targets(svc)
        for folder in ("dags", "plugins", "include", "logs", "config"):
            assert f"/opt/airflow/{folder}" in targets, f"{name} does not mount {folder}"
            assert targets[f"/opt/airflow/{folder}"].endswith(f"/{folder}"), name


def test_executor_is_celery_everywhere(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in _airflow_services(services).items():
        assert _env(svc)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name


def test_metadata_database_is_postgres_and_broker_is_redis(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, svc in _airflow_services(services).items():
        env = _env(svc)
        assert re.fullmatch(
            r"postgresql\+psycopg2://[^@/]+@postgres(:5432)?/airflow",
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        ), name
        assert re.fullmatch(
            r"db\+postgresql://[^@/]+@postgres(:5432)?/airflow",
            env["AIRFLOW__CELERY__RESULT_BACKEND"],
        ), name
        assert re.fullmatch(r"redis://[^@]*@redis:6379/\d+", env["AIRFLOW__CELERY__BROKER_URL"]), (
            name
        )


def test_airflow_3_settings(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in _airflow_services(services).items():
        env = _env(svc)
        assert (
            env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
            == "http://airflow-apiserver:8080/execution/"
        ), name
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false", name
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith(
            ("SimpleAuthManager", "FabAuthManager")
        ), name
        # One airflow.cfg in the shared config folder, so generated keys are shared too.
        assert env["AIRFLOW_CONFIG"] == "/opt/airflow/config/airflow.cfg", name


def test_market_news_settings(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in _airflow_services(services).items():
        env = _env(svc)
        assert re.fullmatch(
            r"postgresql\+psycopg://[^@/]+@postgres(:5432)?/market_news",
            env["MARKET_NEWS_DB_URL"],
        ), name
        assert "/opt/airflow/include" in env["PYTHONPATH"].split(":"), name
        assert env["MARKET_NEWS_FEEDS"] == "/opt/airflow/include/feeds.yaml", name


def test_slack_token_comes_from_the_environment_only(
    services: dict[str, dict[str, Any]],
) -> None:
    worker_env = _env(services["airflow-worker"])
    assert worker_env["SLACK_BOT_TOKEN"] == "${SLACK_BOT_TOKEN:-}"
    for name, svc in services.items():
        value = _env(svc).get("SLACK_BOT_TOKEN")
        assert value in (None, "${SLACK_BOT_TOKEN:-}"), name


def test_push_and_alert_settings_go_where_they_are_used(
    services: dict[str, dict[str, Any]],
) -> None:
    """The push secret only to the api-server (the endpoint), the alert Connection only to
    the worker (task callbacks) and the dag-processor (DAG callbacks); Redis for pushes."""
    for name, svc in _airflow_services(services).items():
        env = _env(svc)
        assert env["MARKET_NEWS_REDIS_URL"].startswith("redis://redis:6379/"), name
        secret = env.get("MARKET_NEWS_PUSH_SECRET")
        conn = env.get("AIRFLOW_CONN_MARKET_NEWS_SLACK")
        assert secret == ("${MARKET_NEWS_PUSH_SECRET:-}" if name == "airflow-apiserver" else None)
        wants_conn = name in {"airflow-worker", "airflow-dag-processor"}
        assert conn == ("${MARKET_NEWS_SLACK_CONN:-}" if wants_conn else None), name
    broker = _env(services["airflow-worker"])["AIRFLOW__CELERY__BROKER_URL"]
    assert (
        broker.rsplit("/", 1)[-1]
        != _env(services["airflow-worker"])["MARKET_NEWS_REDIS_URL"].rsplit("/", 1)[-1]
    )


def test_the_triggerer_hears_the_push_doorbell_on_the_queue_server(
    services: dict[str, dict[str, Any]],
) -> None:
    """market_news_push's AssetWatcher runs in the triggerer and subscribes through the
    Connection `redis_default`: it must name the push queue's Redis, and only the
    triggerer needs it. The channel is one value: the api-server publishes on it and the
    dag-processor writes it into the watcher it serializes."""
    channels = set()
    for name, svc in _airflow_services(services).items():
        env = _env(svc)
        channels.add(env.get("MARKET_NEWS_PUSH_CHANNEL"))
        assert ("AIRFLOW_CONN_REDIS_DEFAULT" in env) == (name == "airflow-triggerer"), name
    assert len(channels) == 1 and None not in channels and "" not in channels, channels
    env = _env(services["airflow-triggerer"])
    connection = json.loads(env["AIRFLOW_CONN_REDIS_DEFAULT"])
    queue = urlsplit(env["MARKET_NEWS_REDIS_URL"])
    assert connection["conn_type"] == "redis"
    assert (connection["host"], connection["port"]) == (queue.hostname, queue.port or 6379)
    assert connection.get("extra", {}).get("db") == int(queue.path.strip("/") or 0)
    depends = services["airflow-triggerer"]["depends_on"]
    assert depends["redis"] == {"condition": "service_healthy"}


def test_the_image_carries_the_message_queue_trigger() -> None:
    """The watcher's trigger comes from these providers, installed from the lock."""
    lock = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for provider in ("apache-airflow-providers-common-messaging", "apache-airflow-providers-redis"):
        assert re.search(rf"^{provider}==\S+", lock, re.M), provider


@pytest.mark.parametrize("path", [COMPOSE_FILE, DOCKERFILE, PG_INIT_DIR / "01-market-news.sql"])
def test_no_secret_literals(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), f"{path.name} contains {pattern.pattern}"


# --- health checks and start-up order ----------------------------------------------------


def test_health_checks(services: dict[str, dict[str, Any]]) -> None:
    assert "pg_isready" in _healthcheck_text(services["postgres"])
    assert "redis-cli ping" in _healthcheck_text(services["redis"])
    assert "http://localhost:8080/api/v2/version" in _healthcheck_text(
        services["airflow-apiserver"]
    )
    worker_check = _healthcheck_text(services["airflow-worker"])
    assert "celery" in worker_check
    assert "inspect ping" in worker_check
    for name in COMPONENTS:
        assert "healthcheck" in services[name], f"{name} has no health check"


def test_apiserver_publishes_8080(services: dict[str, dict[str, Any]]) -> None:
    assert "8080:8080" in [str(p) for p in services["airflow-apiserver"]["ports"]]


def test_components_wait_for_healthy_backends_and_init(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in COMPONENTS:
        depends = services[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
        assert depends["airflow-init"] == {"condition": "service_completed_successfully"}, name


def test_worker_waits_for_the_api_server(services: dict[str, dict[str, Any]]) -> None:
    depends = services["airflow-worker"]["depends_on"]
    assert depends["airflow-apiserver"] == {"condition": "service_healthy"}


def test_init_waits_for_the_database(services: dict[str, dict[str, Any]]) -> None:
    depends = services["airflow-init"]["depends_on"]
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert "airflow-init" not in depends


def test_every_waited_on_service_can_report_health(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        for target, rule in (svc.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            if rule.get("condition") == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits on {target}"


def test_init_migrates_and_creates_the_admin(services: dict[str, dict[str, Any]]) -> None:
    init = services["airflow-init"]
    script = "\n".join(init["command"]) if isinstance(init["command"], list) else init["command"]
    assert "airflow db migrate" in script
    assert "airflow config list" in script
    assert "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script or "users create" in script
    assert init.get("restart") is None, "a one-shot job must not restart"


def test_init_script_is_valid_bash_and_python(services: dict[str, dict[str, Any]]) -> None:
    """The init job's script parses: bash for the shell part, Python for each heredoc."""
    command = services["airflow-init"]["command"]
    assert command[0] == "-c"
    script = command[1].replace("$$", "$")  # compose's escape for a literal dollar
    checked = subprocess.run(
        ["bash", "-n"], input=script, text=True, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    blocks = re.findall(r"<<'PY'\n(.*?)\nPY\n", script, re.S)
    assert len(blocks) == 2
    for block in blocks:
        compile(block, "airflow-init", "exec")


# --- the store's database ------------------------------------------------------------------


def test_postgres_creates_the_market_news_database(services: dict[str, dict[str, Any]]) -> None:
    targets = _volume_targets(services["postgres"])
    assert targets.get("/docker-entrypoint-initdb.d") == "./docker/postgres-init"
    sql = (PG_INIT_DIR / "01-market-news.sql").read_text(encoding="utf-8")
    assert re.search(r"^CREATE DATABASE market_news\b", sql, re.M | re.I)


# --- Dockerfile and .dockerignore -------------------------------------------------------


def test_dockerfile_base_image_matches_the_lock() -> None:
    froms = [args for keyword, args in _dockerfile_instructions() if keyword == "FROM"]
    assert len(froms) == 1
    match = re.fullmatch(r"apache/airflow:(\S+)-python(3\.\d+)", froms[0])
    assert match, froms[0]
    assert match.group(1) == _lock_airflow_version()
    assert match.group(2) == "3.11"


def test_dockerfile_installs_the_lock_then_the_package_as_airflow() -> None:
    instructions = _dockerfile_instructions()
    runs = [(i, args) for i, (keyword, args) in enumerate(instructions) if keyword == "RUN"]
    users = [(i, args) for i, (keyword, args) in enumerate(instructions) if keyword == "USER"]
    lock = next(i for i, args in runs if "-r /opt/airflow/requirements.txt" in args)
    package = next(i for i, args in runs if "--no-deps" in args)
    assert "pip install --no-cache-dir" in instructions[lock][1]
    assert lock < package
    # pip runs as the airflow user, never root.
    active_user = [args for i, args in users if i < lock]
    assert active_user and active_user[-1] == "airflow"
    assert all(args == "airflow" for _, args in users)
    assert "market-news --help" in instructions[package][1]


def test_dockerfile_copies_what_the_package_build_needs() -> None:
    copied: list[str] = []
    for keyword, args in _dockerfile_instructions():
        if keyword == "COPY":
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            copied += parts[:-1]
    for needed in ("requirements.txt", "pyproject.toml", "include/market_news"):
        assert needed in copied, needed
    # setuptools reads the readme named in pyproject.toml while building the package.
    readme = re.search(r'^readme\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    if readme:
        assert readme.group(1) in copied
    for source in copied:
        assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".git", ".venv", "data", ".env", "config", "logs", ".pytest_cache"):
        assert required in patterns, required
    for needed in ("include", "dags", "plugins", "requirements.txt", "pyproject.toml"):
        assert needed not in patterns, needed
