"""The page's Jinja2 template, kept in Python so it ships with the package.

The project's package data lists only `py.typed` and the migrations, so a separate
`.html` file would be missing from a non-editable install. Everything is inline (no
external CSS, fonts or scripts): the page is framed inside Airflow's UI, may run on a
desk without internet access, and must not leak who is looking at it to a CDN.
"""

from __future__ import annotations

PAGE_TEMPLATE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{{ refresh_seconds }}">
<title>Market news · monitor</title>
<style>
:root {
  --bg: #f6f7f9; --panel: #ffffff; --text: #1d2433; --muted: #667085; --line: #e4e7ec;
  --head: #f9fafb; --beat: #067647; --beat-bg: #ecfdf3; --miss: #b42318; --miss-bg: #fef3f2;
  --inline: #475467; --inline-bg: #f2f4f7; --warn: #b54708; --warn-bg: #fffaeb;
  --info: #175cd3; --info-bg: #eff8ff; --accent: #017cee;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1419; --panel: #161b22; --text: #e6edf3; --muted: #8b949e; --line: #30363d;
    --head: #1c2128; --beat: #3fb950; --beat-bg: #12261e; --miss: #f85149; --miss-bg: #2d1618;
    --inline: #a5b0bd; --inline-bg: #21262d; --warn: #d29922; --warn-bg: #2b2111;
    --info: #58a6ff; --info-bg: #0d2340; --accent: #58a6ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, "Noto Sans", "Noto Sans CJK JP", sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 20px 24px 40px; }
header { display: flex; justify-content: space-between; align-items: flex-end; gap: 16px;
  flex-wrap: wrap; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0; letter-spacing: -0.01em; }
h1 small { font-size: 14px; font-weight: 400; color: var(--muted); margin-left: 8px; }
h2 { font-size: 15px; margin: 0; }
.meta { color: var(--muted); font-size: 12px; text-align: right; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px;
  margin-bottom: 16px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.04em; }
.card .value { font-size: 26px; font-weight: 650; margin-top: 2px;
  font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; }
.card.bad .value { color: var(--miss); }
.card.good .value { color: var(--beat); }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  margin-bottom: 16px; overflow: hidden; }
section > .title { display: flex; justify-content: space-between; align-items: baseline;
  padding: 11px 14px; border-bottom: 1px solid var(--line); }
section > .title .hint { color: var(--muted); font-size: 12px; }
.grid2 { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; }
@media (max-width: 1000px) { .grid2 { grid-template-columns: 1fr; } }
.grid2 > section { margin-bottom: 16px; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 14px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--head); color: var(--muted); font-size: 12px; font-weight: 600;
  white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
.key { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px;
  color: var(--muted); }
.ticker { font-weight: 650; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.title-cell { max-width: 420px; }
.clip { display: inline-block; max-width: 100%; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; vertical-align: bottom; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px;
  font-weight: 600; white-space: nowrap; background: var(--inline-bg); color: var(--inline); }
.badge.beat, .badge.ok, .badge.sent { background: var(--beat-bg); color: var(--beat); }
.badge.miss, .badge.failing, .badge.failed { background: var(--miss-bg); color: var(--miss); }
.badge.pending, .badge.sending { background: var(--warn-bg); color: var(--warn); }
.badge.dry_run, .badge.new { background: var(--info-bg); color: var(--info); }
.metric { display: grid; grid-template-columns: 104px 84px 92px 70px 56px; gap: 8px;
  align-items: baseline; padding: 2px 6px; margin: 1px 0; border-radius: 6px; }
.metric.beat { background: var(--beat-bg); }
.metric.miss { background: var(--miss-bg); }
.metric.inline { background: var(--inline-bg); }
.metric .name { color: var(--muted); font-size: 12px; }
.metric .actual { font-weight: 650; text-align: right; }
.metric .est { color: var(--muted); font-size: 12px; text-align: right; }
.metric .surprise { text-align: right; font-weight: 600; }
.metric.beat .surprise, .metric.beat .verdict { color: var(--beat); }
.metric.miss .surprise, .metric.miss .verdict { color: var(--miss); }
.metric .verdict { font-size: 11px; font-weight: 700; text-transform: uppercase; }
.error { color: var(--miss); font-size: 12px; max-width: 360px; overflow-wrap: anywhere; }
.bar { height: 8px; border-radius: 4px; background: var(--accent); opacity: 0.75;
  min-width: 2px; display: inline-block; vertical-align: middle; }
.barcell { width: 40%; }
.chips { display: flex; gap: 8px; flex-wrap: wrap; padding: 10px 14px;
  border-bottom: 1px solid var(--line); }
.empty { padding: 18px 14px; color: var(--muted); }
.notice { background: var(--info-bg); color: var(--info); border-radius: 10px;
  padding: 14px 16px; margin-bottom: 16px; border: 1px solid var(--line); }
.notice code { font-size: 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }
footer a { margin-right: 10px; }
</style>
</head>
<body>
<main>
{% macro t(value) %}<time title="{{ value|when }}">{{ value|ago(now) }}</time>{% endmacro %}
{% macro err(text, size) %}
{% if text %}<div class="error">{{ text|truncate(size) }}</div>{% endif %}
{% endmacro %}
{% set s = d.summary %}
<header>
  <h1>Market news <small>alerts, events and feed health</small></h1>
  <div class="meta">
    Updated <time datetime="{{ s.generated_at.isoformat() }}">{{ s.generated_at|when }}</time>
    · refreshes every {{ refresh_seconds }} s<br>
    Store: <span class="key">{{ store }}</span>
  </div>
</header>

{% if not s.store_ready %}
<div class="notice">
  <strong>No store yet.</strong> The database above has not been created: it appears after the
  first pipeline run (<code>make demo</code>, or the <code>market_news_poll</code> DAG).
</div>
{% elif d.is_empty %}
<div class="notice">
  <strong>The store is empty.</strong> No feed has been polled and no alert queued yet:
  run <code>make demo</code> or unpause the <code>market_news_poll</code> DAG, then come back.
</div>
{% endif %}

{% set sent = s.alerts.get('sent', 0) + s.alerts.get('dry_run', 0) %}
{% set owed = s.alerts.get('pending', 0) + s.alerts.get('sending', 0) + s.alerts.get('failed', 0) %}
<div class="cards">
  <div class="card {{ 'bad' if s.feeds_unhealthy else ('good' if s.feeds else '') }}">
    <div class="label">Feeds</div>
    <div class="value">{{ s.feeds - s.feeds_unhealthy }}/{{ s.feeds }}</div>
    <div class="sub">{{ 'healthy' if not s.feeds_unhealthy else (s.feeds_unhealthy ~ ' failing') }}
      · last poll {{ s.last_poll_success_at|ago(now) }}</div>
  </div>
  <div class="card">
    <div class="label">Articles</div>
    <div class="value">{{ s.articles }}</div>
    <div class="sub">{{ s.articles_24h }} in the last 24 h</div>
  </div>
  <div class="card">
    <div class="label">Earnings events</div>
    <div class="value">{{ s.events }}</div>
    <div class="sub">company + period</div>
  </div>
  <div class="card">
    <div class="label">AI claims</div>
    <div class="value">{{ s.ai_claims }}</div>
    <div class="sub">distinct claims</div>
  </div>
  <div class="card">
    <div class="label">Alerts delivered</div>
    <div class="value">{{ sent }}</div>
    <div class="sub">{{ s.alerts.get('sent', 0) }} sent · {{ s.alerts.get('dry_run', 0) }} dry run
      · last {{ s.last_alert_sent_at|ago(now) }}</div>
  </div>
  <div class="card {{ 'bad' if owed else '' }}">
    <div class="label">Outbox</div>
    <div class="value">{{ owed }}</div>
    <div class="sub">still owed to Slack</div>
  </div>
</div>

<section>
  <div class="title"><h2>Recent earnings events</h2>
    <span class="hint">beat / miss against the analyst estimate, per metric</span></div>
  {% if d.events %}
  <div class="scroll"><table>
    <thead><tr><th>Company</th><th>Period</th>
      <th>Metric · actual · estimate · surprise</th><th>Article</th>
      <th class="num">Rev.</th><th>Updated</th></tr></thead>
    <tbody>
    {% for e in d.events %}
      <tr>
        <td><span class="ticker">{{ e.ticker or '–' }}</span>
          {% if e.company %}<br><span class="muted">{{ e.company }}</span>{% endif %}
          <br><span class="key">{{ e.event_key }}</span></td>
        <td class="nowrap">{{ e.period or '–' }} {{ e.fiscal_year or '' }}</td>
        <td>
        {% for m in e.metrics %}
          <div class="metric {{ m.verdict or '' }}">
            <span class="name">{{ m.metric|metric_label(m.basis) }}</span>
          {% set eps = m.metric == 'eps' %}
            <span class="actual">{{ m.actual|money(m.currency, per_share=eps) }}</span>
            <span class="est">vs {{ m.estimate|money(m.currency, per_share=eps) }}</span>
            <span class="surprise">{{ m.surprise_pct|percent }}</span>
            <span class="verdict">{{ m.verdict or '' }}</span>
          </div>
        {% endfor %}
        </td>
        <td class="title-cell">{{ link(e.article_url, e.article_title or e.article_url) }}</td>
        <td class="num">{{ e.revision }}</td>
        <td class="nowrap">{{ t(e.updated_at) }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<div class="empty">No earnings event recorded yet.</div>{% endif %}
</section>

<section>
  <div class="title"><h2>Recent alerts</h2>
    <span class="hint">newest first · link opens the message in Slack</span></div>
  {% if d.alerts %}
  <div class="scroll"><table>
    <thead><tr><th>Kind</th><th>Event / article</th><th>Status</th><th>Slack</th>
      <th>Created</th><th>Sent</th><th>Last error</th></tr></thead>
    <tbody>
    {% for a in d.alerts %}
      <tr>
        <td class="nowrap">{{ a.kind }}
          {% if a.is_reply %}<span class="muted">(thread)</span>{% endif %}</td>
        <td class="title-cell">{{ link(a.article_url, a.article_title or a.article_url) }}
          <br><span class="key">{{ a.event_key or '' }}</span></td>
        <td><span class="badge {{ a.status }}">{{ a.status|replace('_', ' ') }}</span></td>
        <td class="nowrap">
          {% if a.link %}
          <a href="{{ a.link }}" target="_blank" rel="noopener noreferrer">{{ a.channel }}</a>
          {% else %}<span class="muted">{{ a.channel or '–' }}</span>{% endif %}
          {% if a.ts %}<br><span class="key">{{ a.ts }}</span>{% endif %}</td>
        <td class="nowrap">{{ t(a.created_at) }}</td>
        <td class="nowrap">{{ t(a.sent_at) }}</td>
        <td>{{ err(a.last_error, 160) }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<div class="empty">No alert queued yet.</div>{% endif %}
</section>

<div class="grid2">
<section>
  <div class="title"><h2>Feed health</h2>
    <span class="hint">304 = not modified since the last poll</span></div>
  {% if d.feeds %}
  <div class="scroll"><table>
    <thead><tr><th>Feed</th><th>Status</th><th>Last success</th><th class="num">Polls</th>
      <th class="num">304 ratio</th><th class="num">Failures</th><th>Next poll</th></tr></thead>
    <tbody>
    {% for f in d.feeds %}
      <tr>
        <td><strong>{{ f.name }}</strong><br>{{ link(f.url, f.url, css='key') }}
          {{ err(f.last_error, 200) }}</td>
        <td><span class="badge {{ f.state }}">{{ f.state }}</span></td>
        <td class="nowrap">{{ t(f.last_success_at) }}</td>
        <td class="num">{{ f.polls }}</td>
        <td class="num">{{ f.ratio_304|percent(signed=False) }}</td>
        <td class="num">{{ f.consecutive_failures }}</td>
        <td class="nowrap">{% if f.next_poll_at %}{{ t(f.next_poll_at) }}
          {% else %}<span class="muted">on schedule</span>{% endif %}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<div class="empty">No feed polled yet.</div>{% endif %}
</section>

<section>
  <div class="title"><h2>Extraction per day</h2><span class="hint">UTC, by time stored</span></div>
  {% if d.daily %}
  {% set peak = d.daily|map(attribute='articles')|max %}
  <div class="scroll"><table>
    <thead><tr><th>Day</th><th class="num">Articles</th><th class="barcell"></th>
      <th class="num">Earnings</th><th class="num">AI claims</th></tr></thead>
    <tbody>
    {% for day in d.daily|reverse %}
      <tr>
        <td class="nowrap">{{ day.day.isoformat() }}</td>
        <td class="num">{{ day.articles }}</td>
        <td class="barcell">{% if day.articles %}
          <span class="bar" style="width: {{ (100 * day.articles / peak)|round(1) }}%"></span>
        {% endif %}</td>
        <td class="num">{{ day.earnings_items }}</td>
        <td class="num">{{ day.ai_claims }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<div class="empty">Nothing extracted yet.</div>{% endif %}
</section>
</div>

<section>
  <div class="title"><h2>Outbox</h2>
    <span class="hint">alerts still owed to Slack, oldest first</span></div>
  <div class="chips">
  {% for status, count in d.outbox.counts.items() %}
    <span class="badge {{ status }}">{{ status|replace('_', ' ') }}: {{ count }}</span>
  {% endfor %}
  </div>
  {% if d.outbox.undelivered %}
  <div class="scroll"><table>
    <thead><tr><th>#</th><th>Kind</th><th>Event / article</th><th>Status</th>
      <th class="num">Attempts</th><th>Queued</th><th>Last error</th></tr></thead>
    <tbody>
    {% for o in d.outbox.undelivered %}
      <tr>
        <td class="num">{{ o.id }}</td>
        <td>{{ o.kind }}</td>
        <td class="title-cell"><span class="clip">{{ o.article_title or '' }}</span>
          <br><span class="key">{{ o.event_key or '' }}</span></td>
        <td><span class="badge {{ o.status }}">{{ o.status }}</span></td>
        <td class="num">{{ o.attempts }}</td>
        <td class="nowrap">{{ t(o.created_at) }}</td>
        <td>{{ err(o.last_error, 240) }}</td>
      </tr>
    {% endfor %}
    </tbody>
  </table></div>
  {% else %}<div class="empty">Nothing owed: every alert has been delivered.</div>{% endif %}
</section>

<footer>
  JSON:
  <a href="api/summary">summary</a><a href="api/alerts">alerts</a><a href="api/events">events</a>
  <a href="api/feeds">feeds</a><a href="api/extraction-daily">extraction-daily</a>
  <a href="api/outbox">outbox</a><a href="openapi.json">OpenAPI</a>
</footer>
</main>
</body>
</html>
"""

__all__ = ["PAGE_TEMPLATE"]
