"""market-news: feeds to earnings and AI-infrastructure alerts in Slack.

The package imports no Airflow module, so it runs and tests without a scheduler.
"""

__version__ = "0.1.0"
