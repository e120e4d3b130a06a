"""One error type for everything that can go wrong talking to Slack.

slack-sdk's exceptions carry the whole response, including the request arguments, and
their text can include response bodies; anything that logs them risks logging more than
we mean to. `SlackDeliveryError` is built from the error code alone, so its message is
one line, safe to store and log, and never contains the token.
"""

from __future__ import annotations

import re

#: Error codes that will not go away by retrying in the same pass.
PERMANENT_CODES = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "ekm_access_denied",
        "org_login_required",
        "team_access_not_granted",
    }
)
_CODE = re.compile(r"^[a-z0-9_.]{1,64}$")


def clean_code(code: object, *, status: int | None = None) -> str:
    """A Slack error code as-is when it looks like one, else a neutral stand-in.

    slack-sdk puts a chunk of the response body into `error` when the body is not JSON
    (a proxy's HTML page, say); that must not reach our message verbatim.
    """
    if isinstance(code, str) and _CODE.match(code):
        return code
    return f"http_{status}" if status else "unexpected_response"


class SlackDeliveryError(Exception):
    """A Slack call failed; `str()` is one line and free of secrets.

    `permanent`: retrying in this pass is pointless (bad token, missing channel...).
    `outcome_unknown`: the request may have reached Slack (connection lost after it was
    sent, timeout, 5xx), so the message may exist; reconcile before posting again.
    """

    def __init__(
        self,
        method: str,
        code: str,
        *,
        status: int | None = None,
        channel: str | None = None,
        permanent: bool | None = None,
        outcome_unknown: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.method = method
        self.code = clean_code(code, status=status)
        self.status = status
        self.channel = channel
        self.permanent = self.code in PERMANENT_CODES if permanent is None else permanent
        self.outcome_unknown = outcome_unknown
        self.retry_after = retry_after
        where = f" in {channel}" if channel else ""
        http = f", HTTP {status}" if status and status != 200 else ""
        unknown = "; the message may have been posted" if outcome_unknown else ""
        super().__init__(f"Slack {method}{where} failed: {self.code}{http}{unknown}")
