"""Numbers of the month: ranges per emission point and type, gaps, fates.

Every figure is one grouped query over the month's documents (the number's
parts are read in SQL from `001-001-000000123`), so a month of 20,000
documents costs the same handful of queries as a month of ten.
"""

from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import Cast, Lag, Substr

from fiscal.models import (
    PENDING_STATES,
    DocState,
    DocType,
    ElectronicDocument,
)
from fiscal.selectors import month_range


def month_documents(*, business, year: int, month: int) -> QuerySet:
    start, end = month_range(year, month)
    return ElectronicDocument.objects.for_business(business).filter(
        issue_date__gte=start, issue_date__lt=end
    )


def _numbered(queryset: QuerySet) -> QuerySet:
    # `001-001-000000123`: establishment-point prefix and the sequential.
    return queryset.annotate(
        prefix=Substr("number", 1, 7),
        seq=Cast(Substr("number", 9), BigIntegerField()),
    )


@dataclass
class NumberRange:
    """One emission point and document type in the month, with each number's fate."""

    kind: str
    prefix: str
    first: int
    last: int
    count: int
    authorised: int
    pending: int
    returned: int
    not_authorised: int
    credit_noted: int
    annulled_done: int
    annulled_todo: int
    gaps: list[tuple[int, int]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return DocType(self.kind).label

    @property
    def establishment(self) -> str:
        return self.prefix[:3]

    @property
    def point(self) -> str:
        return self.prefix[4:7]

    def number(self, seq: int) -> str:
        return f"{self.prefix}-{seq:09d}"

    @property
    def missing(self) -> int:
        return sum(last - first + 1 for first, last in self.gaps)

    @property
    def ok(self) -> bool:
        return not self.gaps and not self.duplicates


def number_ranges(*, business, year: int, month: int) -> list[NumberRange]:
    """Ranges, fates, gaps and duplicates per (type, establishment-point)."""
    documents = month_documents(business=business, year=year, month=month)
    has_note = Exists(
        ElectronicDocument.objects.filter(
            business=business, kind=DocType.CREDIT_NOTE, modifies=OuterRef("pk")
        )
    )
    annulment = Q(annulment_requested_at__isnull=False)
    rows = (
        _numbered(documents)
        .annotate(noted=has_note)
        .values("kind", "prefix")
        .annotate(
            first=Min("seq"),
            last=Max("seq"),
            count=Count("id"),
            authorised=Count("id", filter=Q(state=DocState.AUTHORISED)),
            pending=Count("id", filter=Q(state__in=PENDING_STATES)),
            returned=Count("id", filter=Q(state=DocState.RETURNED)),
            not_authorised=Count("id", filter=Q(state=DocState.NOT_AUTHORISED)),
            credit_noted=Count("id", filter=Q(noted=True)),
            annulled_done=Count(
                "id", filter=annulment & Q(annulled_in_portal_at__isnull=False)
            ),
            annulled_todo=Count(
                "id", filter=annulment & Q(annulled_in_portal_at__isnull=True)
            ),
        )
        .order_by("kind", "prefix")
    )
    ranges = {(r["kind"], r["prefix"]): NumberRange(**r) for r in rows}
    for kind, prefix, seq, previous in _breaks(documents):
        found = ranges[(kind, prefix)]
        if seq == previous:
            found.duplicates.append(seq)
        else:
            found.gaps.append((previous + 1, seq - 1))
    for found in ranges.values():
        _gap_before(business=business, found=found)
    return list(ranges.values())


def _breaks(documents: QuerySet):
    """(kind, prefix, seq, previous seq) where the sequence jumps or repeats."""
    ordered = _numbered(documents).annotate(
        previous=Window(
            Lag("seq"),
            partition_by=[F("kind"), F("prefix")],
            order_by=F("seq").asc(),
        )
    )
    breaks = ordered.filter(Q(seq__gt=F("previous") + 1) | Q(seq=F("previous")))
    return breaks.order_by().values_list("kind", "prefix", "seq", "previous")


def _gap_before(*, business, found: NumberRange) -> None:
    """The month's first number must follow one issued earlier (or be 1)."""
    if found.first <= 1:
        return
    before = found.number(found.first - 1)
    exists = (
        ElectronicDocument.objects.for_business(business)
        .filter(kind=found.kind, number=before)
        .exists()
    )
    if not exists:
        earlier = (
            _numbered(
                ElectronicDocument.objects.for_business(business).filter(
                    kind=found.kind,
                    number__startswith=found.prefix,
                    number__lt=found.number(found.first),
                )
            )
            .aggregate(last=Max("seq"))
            .get("last")
        )
        found.gaps.insert(0, ((earlier or 0) + 1, found.first - 1))
