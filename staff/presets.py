"""The scorecard's default weights and targets (admins edit them afterwards)."""

from decimal import Decimal

from staff.models import Kpi, ScoreWeight

DEFAULT_WEIGHTS = {
    Kpi.SLA: ("30", "0.95"),
    Kpi.SATISFACTION: ("25", "0.90"),
    Kpi.CALLBACK: ("15", "0.95"),
    Kpi.PICKUP: ("15", "0.90"),
    Kpi.ERRORS: ("15", "0.02"),
}


def seed_weights(apps=None) -> None:
    """The default weights and targets, where none are set yet (a migration, or a test after a flush)."""
    model = apps.get_model("staff", "ScoreWeight") if apps else ScoreWeight
    for kpi, (weight, target) in DEFAULT_WEIGHTS.items():
        model.objects.get_or_create(kpi=str(kpi), defaults={"weight": Decimal(weight), "target": Decimal(target)})
