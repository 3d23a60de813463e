"""Records the reports' tests count, made through the apps' own services."""

from __future__ import annotations

import datetime as dt

from qiaolian.activities import services as activity_services


def activity(js, federation, title: str, starts_at: dt.datetime, *, kind: str = "law", project: str = "huiqiao"):
    """An offline activity of one hour at ``federation``, created by the district admin."""
    return activity_services.activity_create(
        actor=js.user("admin"),
        data={
            "federation": federation,
            "title": title,
            "kind": kind,
            "project": project,
            "mode": "offline",
            "place": "社区",
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=1),
        },
    )
