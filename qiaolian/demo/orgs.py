"""The organization of the demo: the district federation, the street/town/park federations
with a few community groups, the 侨之家 and 新侨驿站 stations, and the partner 平湖市侨联.

Everything is written through the orgs services, as the district administrator (the root
federation, which exists before any user, is created without an actor as the services allow).
"""

from __future__ import annotations

import datetime as dt

from qiaolian.demo import geography as geo
from qiaolian.demo import names
from qiaolian.demo.context import DemoContext
from qiaolian.orgs.models import FederationKind, Level, StationKind
from qiaolian.orgs.services import federation_create, partner_create, station_create


def build_district(ctx: DemoContext) -> None:
    ctx.district = federation_create(
        actor=None,
        parent=None,
        name=geo.DISTRICT_NAME,
        short_name=geo.DISTRICT_SHORT,
        level=Level.DISTRICT,
        kind=FederationKind.DISTRICT,
        code=geo.DISTRICT_CODE,
        established_on=geo.DISTRICT_ESTABLISHED,
        address=geo.DISTRICT_ADDRESS,
        notes="中共上海市金山区委领导的由全区归侨侨眷组成的区一级人民团体，中国侨联的地方组织。",
    )


def build_towns(ctx: DemoContext) -> None:
    """The eleven street/town/park federations, each with its community groups."""
    actor = ctx.actor()
    for order, town in enumerate(geo.TOWNS, start=1):
        federation = federation_create(
            actor=actor,
            parent=ctx.district,
            name=town.federation_name,
            short_name=town.short_name,
            aliases=town.aliases,
            level=Level.TOWN,
            kind=town.kind,
            code=town.code,
            established_on=town.established_on,
            address=town.office_address,
            sort_order=order,
            notes=town.notes,
        )
        ctx.towns[town.key] = federation
        for sub_order, area in enumerate((a for a in town.areas if a.has_group), start=1):
            ctx.groups[(town.key, area.name)] = federation_create(
                actor=actor,
                parent=federation,
                name=f"{town.short_name}{area.name}侨联小组",
                short_name=area.name,
                level=Level.COMMUNITY,
                kind=FederationKind.COMMUNITY,
                code=area.code,
                established_on=area.group_established,
                address=f"上海市金山区{town.short_name}{area.name}",
                sort_order=sub_order,
            )


def build_stations(ctx: DemoContext) -> None:
    """侨之家 in most towns (in their 党群服务中心), and the two 新侨驿站 of the seed."""
    rng = ctx.rng("stations")
    actor = ctx.actor()
    for town in geo.TOWNS:
        for spec in town.stations:
            federation = ctx.federation_for(town, spec.area) if spec.area else ctx.towns[town.key]
            manager_birth = rng.randint(1965, 1988)
            station = station_create(
                actor=actor,
                federation=federation,
                name=spec.name,
                kind=StationKind(spec.kind),
                host_venue=spec.host_venue,
                address=federation.address or town.office_address,
                opened_on=spec.opened_on,
                contact_name=names.full_name(rng, male=rng.random() < 0.4, birth_year=manager_birth),
                notes=spec.notes or "设侨之家活动室、宣传展板和侨法宣传角。",
            )
            ctx.stations.append(station)


def build_partner(ctx: DemoContext) -> None:
    rng = ctx.rng("partner")
    partner_create(
        actor=ctx.actor(),
        name="平湖市侨联",
        region="浙江省嘉兴市平湖市",
        brand="金平果",
        since=dt.date(2018, 11, 1),
        contact=names.full_name(rng, male=False, birth_year=1975),
        notes="毗邻合作：与金山区侨联联合打造侨务“金平果”品牌，开展侨界人士联谊、海创接力“传帮带”等活动。",
    )
    ctx.partners += 1
