"""Demo tickets for ``seed_demo``: about 2,000 over the last 60 days, in every state and kind.

Written with bulk inserts (a few dozen statements, a few seconds on SQLite) rather than through the
services one ticket at a time; the SLA clocks are then started by ``sla.services.clocks_backfill``
and one sweep raises the warnings and escalations that the data calls for. Deterministic: the same
seed at the same moment gives the same center.

The center tells a normal day at the moment it is seeded (``demo/day.py``): a drawn open ticket
that would be late or at risk by then, beyond a handful, was handled in time and is closed instead,
and a few tickets placed relative to now show every stage (a repair's crew on its way, on site and
done, callbacks due today, on the next working day and overdue). Resolved complaints carry their
whole record: category, responsible department, investigation, remedy and reply to the customer.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from demo.day import DayBudget, Deadlines, SceneSpec, scene_specs
from staff.models import Role, Skill, StaffMember, Unit
from tickets.events import event_build, events_record
from tickets.models import (
    Area,
    Callback,
    CallbackAttempt,
    CallbackOutcome,
    CallbackState,
    CancelReason,
    Channel,
    ComplaintCategory,
    Customer,
    CustomerClass,
    EventKind,
    Kind,
    Priority,
    RoutingRule,
    Status,
    Ticket,
    TicketEvent,
    WorkOrder,
    WorkOrderStatus,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志强海燕晓东雪梅文博子涵欣怡浩然"
SUBJECTS = {
    Kind.INQUIRY: ["电费账单明细咨询", "阶梯电价如何计算", "峰谷电价申请条件", "电费缴纳方式咨询", "停电计划查询",
                   "智能电表读数咨询", "发票开具咨询", "户名变更需要哪些材料"],
    Kind.COMPLAINT: ["抄表员服务态度差", "电费突增，怀疑计量不准", "停电未提前通知", "营业厅排队时间过长",
                     "报修后长时间无人上门", "多次来电问题未解决", "电压不稳导致电器损坏", "新换智能电表显示屏不亮"],
    Kind.REPAIR: ["整栋楼停电", "家中无电，邻居有电", "电表箱冒烟", "线路断落在路边", "电压过低，空调无法启动",
                  "表后开关频繁跳闸", "路灯杆漏电"],
    Kind.REPORT: ["举报窃电行为", "举报工作人员索要好处费", "举报违规私拉电线"],
    Kind.APPLICATION: ["新装居民用电申请", "增容申请", "低压非居民新装", "高压新装（单电源）", "更名过户办理",
                       "充电桩报装"],
    Kind.SUGGESTION: ["建议增加线上缴费渠道", "建议延长营业厅营业时间", "建议短信提前通知停电"],
    Kind.PRAISE: ["表扬抢修人员及时到场", "表扬客服耐心解答", "感谢营业厅工作人员"],
}
DESCRIPTIONS = {
    Kind.INQUIRY: "客户来电咨询，需核实后答复。",
    Kind.COMPLAINT: "客户情绪激动，要求尽快处理并给出说法。",
    Kind.REPAIR: "客户报修，请尽快派单处理。",
    Kind.REPORT: "举报人要求对身份信息保密。",
    Kind.APPLICATION: "客户已提交材料，待审核。",
    Kind.SUGGESTION: "客户提出改进建议。",
    Kind.PRAISE: "客户致电表扬。",
}
# A complaint's category follows from what the customer complains of.
COMPLAINT_CATEGORY = {
    "抄表员服务态度差": ComplaintCategory.SERVICE_ATTITUDE, "营业厅排队时间过长": ComplaintCategory.SERVICE_ATTITUDE,
    "电费突增，怀疑计量不准": ComplaintCategory.BILLING, "停电未提前通知": ComplaintCategory.OUTAGE,
    "报修后长时间无人上门": ComplaintCategory.AFTER_SALES, "电压不稳导致电器损坏": ComplaintCategory.POWER_QUALITY,
    "新换智能电表显示屏不亮": ComplaintCategory.PRODUCT_QUALITY, "多次来电问题未解决": ComplaintCategory.OTHER,
}
# The department a complaint of each category is passed to (unit codes of the demo's org chart).
RESPONSIBLE = {
    ComplaintCategory.SERVICE_ATTITUDE: ("reception", "tech-region-1", "tech-region-2"),
    ComplaintCategory.BILLING: ("reception",),
    ComplaintCategory.OUTAGE: ("tech-region-1", "tech-region-2"),
    ComplaintCategory.AFTER_SALES: ("tech-region-1", "tech-region-2"),
    ComplaintCategory.POWER_QUALITY: ("tech-region-1", "tech-region-2"),
    ComplaintCategory.PRODUCT_QUALITY: ("tech-region-1", "tech-region-2"),
    ComplaintCategory.OTHER: ("reception",),
}
# (investigation result, remedy, reply to the customer) per category.
COMPLAINT_RECORDS = {
    ComplaintCategory.SERVICE_ATTITUDE: (
        "经调取通话录音和现场记录核实，工作人员解释不耐心、用语不规范，情况属实。",
        "已对当事人批评教育并纳入月度考核，组织班组服务规范培训。",
        "您好，经核实您反映的服务态度问题属实，我们已对当事人批评教育并加强培训，对给您带来的不便深表歉意。"),
    ComplaintCategory.BILLING: (
        "经现场校验，电能表计量准确；电费增加系空调负荷增加、用电量进入第二阶梯所致。",
        "已向客户解释阶梯电价的计算方法，并提供近六个月的用电明细。",
        "您好，经现场校验您家电能表运行正常，电费增加主要是用电量上升进入第二阶梯，明细已短信发送给您。"),
    ComplaintCategory.OUTAGE: (
        "经查，该次停电为计划检修，停电通知未按规定提前七天送达该小区。",
        "已对通知不到位的班组通报批评，停电通知改为短信、公告和物业三渠道发布。",
        "您好，此次停电为计划检修，通知未及时送达是我们的工作失误，我们已完善通知流程，向您致歉。"),
    ComplaintCategory.AFTER_SALES: (
        "经查，抢修人员因同时处理另一处故障延误到达，情况属实。",
        "已对抢修班组通报，调整片区抢修力量，加强到达时限管控。",
        "您好，您反映的抢修人员到达不及时问题属实，我们已调整抢修力量并加强时限管控，感谢您的监督。"),
    ComplaintCategory.POWER_QUALITY: (
        "经现场测量，台区末端电压偏低，原因为配变三相负荷不平衡。",
        "已调整三相负荷和配变分接头，复测电压恢复正常；电器损坏按规定协商赔付。",
        "您好，经检测您所在区域电压偏低，我们已完成负荷调整，电压已恢复正常，电器损坏的赔付事宜将另行联系您。"),
    ComplaintCategory.PRODUCT_QUALITY: (
        "经现场检查，智能电表显示屏故障，计量芯片工作正常，读数无误。",
        "已免费更换电能表，并与客户共同核对换表前后的读数。",
        "您好，经检查您家电表显示屏故障，已为您免费更换新表，换表前后读数已与您核对无误。"),
    ComplaintCategory.OTHER: (
        "经调查核实，客户多次来电反映的问题因工单转派不及时未能闭环，情况属实。",
        "已指定专人跟踪至问题解决，并优化工单转派流程。",
        "您好，您反映的问题我们已调查核实并指定专人跟进解决，对多次来电给您带来的不便深表歉意。"),
}
KIND_WEIGHTS = [(Kind.INQUIRY, 38), (Kind.COMPLAINT, 18), (Kind.REPAIR, 24), (Kind.REPORT, 2),
                (Kind.APPLICATION, 10), (Kind.SUGGESTION, 5), (Kind.PRAISE, 3)]
CHANNEL_WEIGHTS = [(Channel.PHONE, 62), (Channel.WALK_IN, 10), (Channel.EMAIL, 5), (Channel.WEB, 12),
                   (Channel.LETTER, 3), (Channel.CHAT, 8)]
CLASS_WEIGHTS = [(CustomerClass.RESIDENTIAL, 78), (CustomerClass.LOW_VOLTAGE, 10), (CustomerClass.HV_SINGLE, 4),
                 (CustomerClass.HV_DUAL, 2), (CustomerClass.BUSINESS, 6)]
AREA_WEIGHTS = [(Area.URBAN, 70), (Area.RURAL, 25), (Area.REMOTE, 5)]


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def ensure_routing_rules() -> int:
    """Repairs to the technical regions by business line, everything else to reception."""
    if RoutingRule.objects.exists():
        return 0
    units = {u.code: u for u in Unit.objects.filter(code__in=["tech-region-1", "tech-region-2", "reception"])}
    if len(units) < 3:
        return 0
    technical = Skill.objects.filter(code="technical").first()
    rules = [
        RoutingRule(rank=10, name="报修（技术服务）→ 一片区", kind=Kind.REPAIR, business_line=technical,
                    team=units["tech-region-1"]),
        RoutingRule(rank=20, name="报修 → 二片区", kind=Kind.REPAIR, team=units["tech-region-2"]),
        RoutingRule(rank=90, name="其余 → 接待服务组", team=units["reception"]),
    ]
    RoutingRule.objects.bulk_create(rules)
    return len(rules)


def _status_for(rng: random.Random, age_days: float) -> str:
    """Older tickets are mostly closed; recent ones mostly open."""
    if age_days > 20:
        weights = [(Status.CLOSED, 80), (Status.RESOLVED, 8), (Status.CANCELLED, 5), (Status.IN_PROGRESS, 4),
                   (Status.PENDING_CUSTOMER, 3)]
    elif age_days > 5:
        weights = [(Status.CLOSED, 45), (Status.RESOLVED, 20), (Status.IN_PROGRESS, 15), (Status.PENDING_CUSTOMER, 7),
                   (Status.ASSIGNED, 5), (Status.CANCELLED, 4), (Status.NEW, 4)]
    else:
        weights = [(Status.NEW, 22), (Status.ASSIGNED, 20), (Status.IN_PROGRESS, 25), (Status.PENDING_CUSTOMER, 8),
                   (Status.RESOLVED, 15), (Status.CLOSED, 7), (Status.CANCELLED, 3)]
    return _pick(rng, weights)


def _set_reference_counters(counters: dict) -> None:
    with connection.cursor() as cursor:
        for day, last in counters.items():
            cursor.execute(
                "INSERT INTO tickets_referencecounter (day, last) VALUES (%s, %s) "
                "ON CONFLICT (day) DO UPDATE SET last = MAX(tickets_referencecounter.last, excluded.last)"
                if connection.vendor == "sqlite" else
                "INSERT INTO tickets_referencecounter (day, last) VALUES (%s, %s) "
                "ON CONFLICT (day) DO UPDATE SET last = GREATEST(tickets_referencecounter.last, excluded.last)",
                [day.isoformat(), last],
            )


@transaction.atomic
def seed_tickets(*, count: int = 2000, days: int = 60, seed: int = 20261122, now: datetime | None = None,
                 stdout=None) -> int:
    """Write ``count`` demo tickets received over the last ``days`` days. Does nothing when tickets exist."""
    if Ticket.objects.exists():
        return 0
    rng = random.Random(seed)
    now = now or timezone.now()
    ensure_routing_rules()
    agents_by_team = _agents_by_team()
    teams = {u.code: u for u in Unit.objects.filter(code__in=["tech-region-1", "tech-region-2", "reception"])}
    if len(teams) < 3 or not all(agents_by_team.get(u.pk) for u in teams.values()):
        return 0
    technical = Skill.objects.filter(code="technical").first()
    customers = _seed_customers(rng, count)

    center = _Center(teams=teams, agents_by_team=agents_by_team, customers=customers, technical=technical,
                     counters=defaultdict(int))
    budget = DayBudget(deadlines=Deadlines(), now=now)
    scene = _scene(rng, center, budget.deadlines, now)[:count]  # every stage of the day, at any hour
    tickets, plans = [t for t, _ in scene], [p for _, p in scene]
    for _ in range(count - len(scene)):
        ticket = _new_ticket(rng, center, now=now, days=days)
        plan = _plan(rng, ticket, now)
        if not budget.keeps(ticket, plan):  # handled in time, as most are: closed
            plan = _close(rng, center, ticket, now)
        tickets.append(ticket)
        plans.append(plan)
    counters = center.counters
    tickets = Ticket.objects.bulk_create(tickets, batch_size=500)
    _set_reference_counters(counters)

    events, event_times, orders, callbacks = _apply_plans(tickets, plans)
    events_record(events, batch_size=1000)
    WorkOrder.objects.bulk_create(orders, batch_size=500)
    Ticket.objects.bulk_update(tickets, ["first_response_at", "resolved_at", "closed_at", "resolution",
                                         "pause_reason", "cancel_reason", "created_at", "version"], batch_size=500)
    # auto_now_add wrote "now": put the historic times back.
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(updated_at=now)
    # bulk_create ran auto_now_add on the instances too: set the historic times again, then write them.
    for event, at in zip(events, event_times, strict=True):
        event.created_at = at
    TicketEvent.objects.bulk_update(events, ["created_at"], batch_size=1000)

    made = _seed_callbacks(callbacks, budget.deadlines)
    clocks = _settle_clocks(tickets, now)
    if stdout is not None:
        stdout.write(f"  tickets: {len(tickets)}, customers: {len(customers)}, events: {len(events)}, "
                     f"work orders: {len(orders)}, callbacks: {len(made)}, clocks: {clocks}")
    return len(tickets)


def _agents_by_team() -> dict[int, list[StaffMember]]:
    agents_by_team: dict[int, list[StaffMember]] = defaultdict(list)
    for member in StaffMember.objects.filter(is_active=True, position__role=Role.AGENT).select_related("position"):
        agents_by_team[member.position.unit_id].append(member)
    return agents_by_team


def _seed_customers(rng: random.Random, count: int) -> list[Customer]:
    """About three customers for every ten tickets."""
    customers = []
    for i in range(max(count * 3 // 10, 1)):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        customers.append(Customer(
            name=name, phone=f"1{rng.choice('358')}{rng.randrange(10**9):09d}",
            account_no=f"31{i:08d}" if rng.random() < 0.6 else "",
            customer_class=_pick(rng, CLASS_WEIGHTS), area=_pick(rng, AREA_WEIGHTS),
        ))
    return Customer.objects.bulk_create(customers, batch_size=500)


def _received_at(rng: random.Random, now: datetime, days: int) -> tuple[float, datetime]:
    """A ticket's age in days and when it came in: more recent than old, mostly in the day."""
    age = rng.random() ** 1.3 * days  # more recent tickets than old ones
    received = now - timedelta(days=age)
    local = timezone.localtime(received)
    if local.hour < 8 or local.hour >= 20:  # most contact happens in the day
        received -= timedelta(hours=rng.randint(4, 10))
    return age, min(received, now - timedelta(minutes=5))


@dataclass
class _Center:
    """What every drawn ticket picks from: the teams, their agents, the customers; ``counters``
    counts the references handed out per day."""

    teams: dict[str, Unit]
    agents_by_team: dict[int, list[StaffMember]]
    customers: list[Customer]
    technical: Skill | None
    counters: dict


def _new_ticket(rng: random.Random, center: _Center, *, now: datetime, days: int = 0, kind: str | None = None,
                status: str | None = None, received: datetime | None = None,
                customer: Customer | None = None) -> Ticket:
    """One unsaved ticket with its reference: drawn at random, or of the kind, status and receipt given."""
    if received is None:
        age, received = _received_at(rng, now, days)
    else:
        age = (now - received).total_seconds() / 86400
    kind = kind or _pick(rng, KIND_WEIGHTS)
    teams = center.teams
    team = (teams["tech-region-1"] if rng.random() < 0.55 else teams["tech-region-2"]) if kind == Kind.REPAIR \
        else teams["reception"]
    status = status or _status_for(rng, age)
    day = timezone.localdate(received)
    center.counters[day] += 1
    customer = customer or rng.choice(center.customers)
    holder = None if status == Status.NEW or (status == Status.CANCELLED and rng.random() < 0.5) \
        else rng.choice(center.agents_by_team[team.pk])
    subject = rng.choice(SUBJECTS[kind])
    ticket = Ticket(
        reference=f"TS-{day:%Y%m%d}-{center.counters[day]:06d}", kind=kind, channel=_pick(rng, CHANNEL_WEIGHTS),
        status=status, priority=_pick(rng, [(Priority.URGENT, 4), (Priority.HIGH, 14), (Priority.NORMAL, 72),
                                            (Priority.LOW, 10)]),
        subject=subject, description=DESCRIPTIONS[kind], customer=customer, team=team,
        assignee=holder, received_at=received,
        business_line=center.technical if kind == Kind.REPAIR and team.code == "tech-region-1" else None,
    )
    if kind == Kind.COMPLAINT:
        ticket.complaint_category = COMPLAINT_CATEGORY.get(subject, ComplaintCategory.OTHER)
    _complaint_record(rng, center, ticket)
    return ticket


def _complaint_record(rng: random.Random, center: _Center, ticket: Ticket) -> None:
    """A complaint's record as far as its status has come: passed to the responsible department once
    claimed, investigated once worked on, the remedy and the reply to the customer once resolved."""
    if ticket.kind != Kind.COMPLAINT:
        return
    started = ticket.status not in (Status.NEW, Status.CANCELLED)
    worked = ticket.status not in (Status.NEW, Status.ASSIGNED, Status.CANCELLED)
    done = ticket.status in (Status.RESOLVED, Status.CLOSED)
    investigation, remedy, reply = COMPLAINT_RECORDS[ticket.complaint_category]
    codes = RESPONSIBLE[ticket.complaint_category]
    ticket.responsible_unit = center.teams[rng.choice(codes)] if started else None
    ticket.investigation = investigation if worked else ""
    ticket.remedy = remedy if done else ""
    ticket.customer_reply = reply if done else ""


def _close(rng: random.Random, center: _Center, ticket: Ticket, now: datetime) -> dict:
    """A drawn ticket that would be late or at risk beyond the day's handful: it was handled, and is closed."""
    ticket.status = Status.CLOSED
    if ticket.assignee is None:
        ticket.assignee = rng.choice(center.agents_by_team[ticket.team.pk])
    _complaint_record(rng, center, ticket)
    return _plan(rng, ticket, now)


def _apply_plans(tickets: list[Ticket], plans: list[dict]) -> tuple[list[TicketEvent], list, list, list]:
    """Put each plan on its saved ticket: the events (and their times), work orders and callbacks to write."""
    events, event_times, orders, callbacks = [], [], [], []
    for ticket, plan in zip(tickets, plans, strict=True):
        for offset, kind, field, old, new, body in plan["events"]:
            events.append(event_build(ticket_id=ticket.pk, kind=kind, field=field, old=old, new=new, body=body))
            event_times.append(ticket.received_at + offset)
        if plan["work_order"]:
            orders.append(WorkOrder(ticket=ticket, field_team=ticket.team,
                                    instructions="请携带备品备件，尽快到场处理。",
                                    dispatched_at=ticket.received_at + plan["work_order"][0], **plan["work_order"][1]))
        if plan["callback"]:
            callbacks.append((ticket, plan["callback"]))
        for name in ("first_response_at", "resolved_at", "closed_at"):
            value = plan.get(name)
            setattr(ticket, name, ticket.received_at + value if value is not None else None)
        ticket.resolution = plan.get("resolution", "")
        ticket.pause_reason = plan.get("pause_reason", "")
        ticket.cancel_reason = plan.get("cancel_reason", "")
        ticket.created_at = ticket.received_at
        ticket.version = 1 + len(plan["events"])
    return events, event_times, orders, callbacks


def _seed_callbacks(callbacks: list[tuple[Ticket, dict]], deadlines: Deadlines) -> list[Callback]:
    """The callbacks, due as the resolve action sets them (close of business on the next working day)
    unless an unreachable attempt moved one on (``due_at`` and ``attempted_at`` in its spec)."""
    made = Callback.objects.bulk_create([
        Callback(ticket=t, assignee=t.assignee, state=spec["state"], outcome=spec.get("outcome", ""),
                 attempt_count=len(spec["attempts"]),
                 due_at=spec.get("due_at") or deadlines.callback_due(t.resolved_at),
                 completed_at=t.resolved_at + spec["done"] if spec.get("done") else None)
        for t, spec in callbacks
    ], batch_size=500)
    attempts = [CallbackAttempt(callback=c, number=n, outcome=o) for c, (_, spec) in zip(made, callbacks, strict=True)
                for n, o in enumerate(spec["attempts"], start=1)]
    CallbackAttempt.objects.bulk_create(attempts, batch_size=1000)
    for callback, (ticket, _) in zip(made, callbacks, strict=True):
        callback.created_at = ticket.resolved_at
    Callback.objects.bulk_update(made, ["created_at"], batch_size=500)
    # auto_now_add wrote "now": an attempt was made when its callback was completed, or when its spec says.
    CallbackAttempt.objects.filter(callback__completed_at__isnull=False).update(
        made_at=Subquery(Callback.objects.filter(pk=OuterRef("callback_id")).values("completed_at")[:1]))
    for callback, (_, spec) in zip(made, callbacks, strict=True):
        if spec.get("attempted_at"):
            CallbackAttempt.objects.filter(callback=callback).update(made_at=spec["attempted_at"])
    return made


def _scene(rng: random.Random, center: _Center, deadlines: Deadlines, now: datetime) -> list[tuple[Ticket, dict]]:
    """The few tickets that show every stage of the day at ``now`` (``demo.day.scene_specs``), for
    customers in town, whose repairs follow the urban targets."""
    town = [c for c in center.customers if c.area == Area.URBAN and c.customer_class == CustomerClass.RESIDENTIAL]
    town = town or center.customers
    sample = Ticket(kind=Kind.REPAIR, priority=Priority.NORMAL, channel=Channel.PHONE, customer=town[0])
    arrival = deadlines.amount(sample, "arrival") or 45
    made = []
    for spec in scene_specs(deadlines, sample, now):
        ticket = _new_ticket(rng, center, now=now, kind=spec.kind, status=spec.status, received=spec.received_at,
                             customer=rng.choice(town))
        ticket.channel, ticket.priority = Channel.PHONE, Priority.NORMAL
        made.append((ticket, _scene_plan(ticket, spec, arrival)))
    return made


def _scene_plan(ticket: Ticket, spec: SceneSpec, arrival: int) -> dict:
    """A scene ticket's events: claimed at 2 minutes, a repair's crew dispatched at 4 and on site well
    within the arrival target, the first reply at 6, resolved when the spec says."""
    events = [(_minutes(0), EventKind.CREATED, "status", "", Status.NEW, "")]
    plan = {"events": events, "work_order": None, "callback": None}
    if spec.status == Status.NEW:
        return plan
    events += [(_minutes(2), EventKind.CLAIMED, "assignee", "", ticket.assignee.name, ""),
               (_minutes(2), EventKind.STATUS, "status", Status.NEW, Status.ASSIGNED, "")]
    if spec.status == Status.ASSIGNED:
        return plan
    if ticket.kind == Kind.REPAIR:
        order = {"status": spec.stage}
        events.append((_minutes(4), EventKind.DISPATCHED, "work_order", "", str(ticket.team), ""))
        plan["work_order"] = (_minutes(4), order)
        if spec.stage in (WorkOrderStatus.ON_SITE, WorkOrderStatus.RESTORED):
            order["arrived_at"] = ticket.received_at + _minutes(min(30, arrival * 0.6))
        if spec.stage == WorkOrderStatus.RESTORED:
            order["restored_at"] = spec.resolved_at - _minutes(5)
    events += [(_minutes(6), EventKind.REPLY, "", "", "", "您好，您反映的问题已受理，我们正在处理。"),
               (_minutes(6), EventKind.STATUS, "status", Status.ASSIGNED, Status.IN_PROGRESS, "")]
    plan["first_response_at"] = _minutes(6)
    if spec.status == Status.IN_PROGRESS:
        return plan
    if spec.status == Status.PENDING_CUSTOMER and spec.paused_at is not None:
        plan["pause_reason"] = "等待客户补充资料"
        plan["paused_at"] = spec.paused_at - ticket.received_at
        events.append((plan["paused_at"], EventKind.STATUS, "status", Status.IN_PROGRESS, Status.PENDING_CUSTOMER,
                       plan["pause_reason"]))
        return plan
    resolved = spec.resolved_at - ticket.received_at
    plan["resolution"] = ticket.remedy or "故障已排除，供电恢复正常。"
    plan["resolved_at"] = resolved
    if ticket.customer_reply:
        events.append((resolved, EventKind.REPLY, "", "", "", ticket.customer_reply))
    events.append((resolved, EventKind.STATUS, "status", Status.IN_PROGRESS, Status.RESOLVED, plan["resolution"]))
    plan["callback"] = {"state": CallbackState.DUE, "attempts": [], "due_at": spec.callback_due}
    if spec.callback_attempt_at is not None:
        plan["callback"].update(attempts=[CallbackOutcome.UNREACHABLE], attempted_at=spec.callback_attempt_at)
        events.append((spec.callback_attempt_at - ticket.received_at, EventKind.CALLBACK, "callback", "",
                       f"1: {CallbackOutcome(CallbackOutcome.UNREACHABLE).label}", ""))
    return plan


def _settle_clocks(tickets: list[Ticket], now: datetime) -> int:
    """Start the tickets' SLA clocks, then sweep until no warning or escalation is left to raise."""
    from sla.services import clocks_backfill
    from sla.sweep import sweep

    clocks = clocks_backfill(ticket_ids=[t.pk for t in tickets])
    for _ in range(20):  # each run raises one more level where one is due
        result = sweep(now=now)
        if not (result.warned or result.breached or result.raised):
            break
    return clocks


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


class _Elapsed:
    """Minutes since a ticket came in, moved on at random and never past ``room`` (up to now)."""

    def __init__(self, rng: random.Random, room: float) -> None:
        self.rng = rng
        self.room = room
        self.t = 0.0

    def step(self, low, high) -> timedelta:
        self.t = min(self.t + self.rng.uniform(low, high), self.room)
        return _minutes(self.t)

    def now(self) -> timedelta:
        return _minutes(self.t)


def _plan(rng: random.Random, ticket: Ticket, now: datetime) -> dict:
    """The events a ticket in this status went through, as offsets from receipt (never past now)."""
    status = ticket.status
    elapsed = _Elapsed(rng, (now - ticket.received_at).total_seconds() / 60 - 1)  # minutes available up to now
    events = [(_minutes(0), EventKind.CREATED, "status", "", Status.NEW, "")]
    plan = {"events": events, "work_order": None, "callback": None}
    if status == Status.NEW:
        return plan
    if status == Status.CANCELLED:
        reason = _pick(rng, [(CancelReason.DUPLICATE, 5), (CancelReason.SPAM, 2), (CancelReason.WITHDRAWN, 3)])
        plan["cancel_reason"] = reason
        events.append((elapsed.step(5, 120), EventKind.STATUS, "status", Status.NEW, Status.CANCELLED,
                       str(CancelReason(reason).label)))
        return plan
    name = ticket.assignee.name
    repair = ticket.kind == Kind.REPAIR
    events.append((elapsed.step(0.5, 4) if repair else elapsed.step(1, 30), EventKind.CLAIMED, "assignee", "", name,
                   ""))
    events.append((elapsed.now(), EventKind.STATUS, "status", Status.NEW, Status.ASSIGNED, ""))
    if status == Status.ASSIGNED:
        return plan
    _plan_work(rng, elapsed, ticket, plan)
    if status == Status.IN_PROGRESS:
        return plan
    if status == Status.PENDING_CUSTOMER:
        plan["pause_reason"] = "等待客户补充资料"
        events.append((elapsed.step(10, 600), EventKind.STATUS, "status", Status.IN_PROGRESS, Status.PENDING_CUSTOMER,
                       plan["pause_reason"]))
        plan["paused_at"] = elapsed.now()
        return plan
    plan["resolution"] = ticket.remedy or "已核实处理，并答复客户。"
    spread = (5, 60) if repair else (120, 5000 if rng.random() < 0.85 else 9000)
    resolved = elapsed.step(*spread)
    if ticket.customer_reply:
        events.append((resolved, EventKind.REPLY, "", "", "", ticket.customer_reply))
    events.append((resolved, EventKind.STATUS, "status", Status.IN_PROGRESS, Status.RESOLVED, plan["resolution"]))
    plan["resolved_at"] = elapsed.now()
    needs_callback = ticket.kind in settings.TICKETS_CALLBACK_KINDS
    if status == Status.RESOLVED:
        if needs_callback:
            plan["callback"] = {"state": CallbackState.DUE, "attempts": []}
        return plan
    if needs_callback:
        _plan_callback(rng, elapsed, plan)
    events.append((elapsed.step(1, 60), EventKind.STATUS, "status", Status.RESOLVED, Status.CLOSED, ""))
    plan["closed_at"] = elapsed.now()
    return plan


def _plan_work(rng: random.Random, elapsed: _Elapsed, ticket: Ticket, plan: dict) -> None:
    """A claimed ticket's work: a repair's crew dispatched, the first reply, the crew on site and power back."""
    status = ticket.status
    events = plan["events"]
    repair = ticket.kind == Kind.REPAIR
    if repair:  # a fault is dispatched within minutes (target 10), then the customer is told
        dispatched = elapsed.step(1, 5 if rng.random() < 0.9 else 20)
        order = {"status": WorkOrderStatus.DISPATCHED}
        events.append((dispatched, EventKind.DISPATCHED, "work_order", "", str(ticket.team), ""))
        plan["work_order"] = (dispatched, order)
    on_time = rng.random() < 0.86  # most first replies come in time
    reply_gap = (1, 10) if repair else (10, 300 if on_time else 3000)
    events.append((elapsed.step(*reply_gap), EventKind.REPLY, "", "", "", "您好，您反映的问题已受理，我们正在处理。"))
    plan["first_response_at"] = elapsed.now()
    events.append((elapsed.now(), EventKind.STATUS, "status", Status.ASSIGNED, Status.IN_PROGRESS, ""))
    if repair and (status in (Status.RESOLVED, Status.CLOSED) or rng.random() < 0.5):
        order["arrived_at"] = ticket.received_at + elapsed.step(10, 35 if rng.random() < 0.88 else 120)
        order["status"] = WorkOrderStatus.ON_SITE
        if status in (Status.RESOLVED, Status.CLOSED):
            order["restored_at"] = ticket.received_at + elapsed.step(30, 120 if rng.random() < 0.9 else 300)
            order["status"] = WorkOrderStatus.RESTORED


def _plan_callback(rng: random.Random, elapsed: _Elapsed, plan: dict) -> None:
    """The callback after resolution: its attempts and outcome."""
    outcome = _pick(rng, [(CallbackOutcome.SATISFIED, 85), (CallbackOutcome.UNREACHABLE, 10),
                          (CallbackOutcome.WRONG_NUMBER, 5)])
    tries = [CallbackOutcome.UNREACHABLE] * (3 if outcome == CallbackOutcome.UNREACHABLE else rng.choice((0, 0, 1)))
    if outcome != CallbackOutcome.UNREACHABLE:
        tries.append(outcome)
    done = elapsed.step(60, 1400)
    state = CallbackState.DONE if outcome == CallbackOutcome.SATISFIED else CallbackState.FAILED
    plan["callback"] = {"state": state, "outcome": outcome, "attempts": tries, "done": done - plan["resolved_at"]}
    plan["events"].append((done, EventKind.CALLBACK, "callback", "", str(CallbackOutcome(outcome).label), ""))
