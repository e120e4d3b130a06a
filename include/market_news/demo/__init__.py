"""The bundled demo: sample feeds on a loopback server, run through Airflow itself."""
