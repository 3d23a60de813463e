"""Write the load test's fixture file: API tokens and search terms taken from the database.

    DATABASE_URL=… python tests/load/prepare.py OUT.json [--users staff,zhujing,shihua,admin]

Staff type what they have on paper: a name, its pinyin or initials, a full ID number or a phone
number. Those are read here from the load database (ID numbers and phones decrypted with the
deployment's keys, so only ever run against the scratch load database) and handed to locust in a
file, so the locustfile itself needs no Django. One API token is created per user (the command
line's ``api_token_create``, audited as ``cli``). Run by scripts/loadtest.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path

SAMPLE = 300


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--users", default="staff,zhujing,shihua,admin")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiaolian.settings")
    import django

    django.setup()
    from qiaolian.accounts.models import User
    from qiaolian.accounts.services import api_token_create
    from qiaolian.registry.models import Person

    rng = random.Random(args.seed)
    tokens = {}
    for username in args.users.split(","):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            print(f"prepare: no active user {username!r}", file=sys.stderr)
            return 2
        _token, tokens[username] = api_token_create(actor=None, user=user, name="loadtest")

    ids = list(Person.objects.filter(is_archived=False).values_list("id", flat=True))
    picked = rng.sample(ids, min(SAMPLE, len(ids)))
    people = []
    for person in Person.objects.filter(id__in=picked).only(
        "name", "name_pinyin", "name_initials", "id_number", "phone", "federation_id"
    ):
        id_number = person.id_number.reveal() if person.id_number else ""
        phone = person.phone.reveal() if person.phone else ""
        people.append(
            {
                "name": person.name,
                "pinyin": person.name_pinyin,
                "initials": person.name_initials,
                "id_number": id_number if len(id_number) == 18 else "",
                "phone": phone if len(phone) == 11 and phone.isdigit() else "",
            }
        )
    Path(args.output).write_text(json.dumps({"tokens": tokens, "people": people}, ensure_ascii=False, indent=1))
    print(f"prepare: {len(tokens)} API tokens, {len(people)} persons' search terms -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
