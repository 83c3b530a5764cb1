"""The petition matter (信访事项) and everything recorded about it.

`Case` holds the facts of the matter and a projection of where it stands (status, responsible
unit, next due moment) for fast queries; the history is the append-only `CaseEvent` log. Only the
functions in `xinfang.cases.services` change a case.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from xinfang.cases import fact_codes, pii, vocabulary
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org, Region


class Channel(models.TextChoices):
    """信访形式 (《信访工作条例》第十七条)."""

    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    ONLINE = "online", "网上信访"
    PHONE = "phone", "电话"
    FAX = "fax", "传真"
    VIDEO = "video", "视频"


# Statistics group the channels as 来信 / 来访 / 网信 (everything else).
CHANNEL_STATS_GROUP = {
    Channel.LETTER: "来信",
    Channel.VISIT: "来访",
    Channel.ONLINE: "网信",
    Channel.PHONE: "网信",
    Channel.FAX: "网信",
    Channel.VIDEO: "网信",
}


class Nature(models.TextChoices):
    """The three statutory kinds (第二十九至三十一条)."""

    SUGGESTION = "suggestion", "建议意见"
    ACCUSATION = "accusation", "检举控告"
    APPEAL = "appeal", "申诉求决"


class Status(models.TextChoices):
    """The case statuses as model choices; values and labels come from the vocabulary."""

    REGISTERED = vocabulary.Status.REGISTERED.value, vocabulary.Status.REGISTERED.label
    ROUTED = vocabulary.Status.ROUTED.value, vocabulary.Status.ROUTED.label
    ACCEPTED = vocabulary.Status.ACCEPTED.value, vocabulary.Status.ACCEPTED.label
    REPLIED = vocabulary.Status.REPLIED.value, vocabulary.Status.REPLIED.label
    DELIVERED = vocabulary.Status.DELIVERED.value, vocabulary.Status.DELIVERED.label
    REVIEWING = vocabulary.Status.REVIEWING.value, vocabulary.Status.REVIEWING.label
    REVIEWED = vocabulary.Status.REVIEWED.value, vocabulary.Status.REVIEWED.label
    REREVIEWING = vocabulary.Status.REREVIEWING.value, vocabulary.Status.REREVIEWING.label
    DECLINED = vocabulary.Status.DECLINED.value, vocabulary.Status.DECLINED.label
    REFUSED_AGAIN = vocabulary.Status.REFUSED_AGAIN.value, vocabulary.Status.REFUSED_AGAIN.label
    TERMINATED = vocabulary.Status.TERMINATED.value, vocabulary.Status.TERMINATED.label


class ContentCategory(models.Model):
    """内容分类: a hierarchical 6-digit code table, loaded from data (data/content_categories.csv)."""

    code = models.CharField("分类代码", max_length=6, unique=True)
    name = models.CharField("分类名称", max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField("层级")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "内容分类"
        verbose_name_plural = "内容分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Case(models.Model):
    number = models.CharField("信访件编号", max_length=32, unique=True)
    query_code = models.CharField("查询码", max_length=16, unique=True)
    channel = models.CharField("信访形式", max_length=16, choices=Channel.choices)
    nature = models.CharField("信访性质", max_length=16, choices=Nature.choices)
    category = models.ForeignKey(ContentCategory, verbose_name="内容分类", on_delete=models.PROTECT)
    subject = models.CharField("标题", max_length=200)
    content = models.TextField("主要内容")
    problem_region = models.ForeignKey(
        Region, verbose_name="问题属地", on_delete=models.PROTECT, related_name="cases"
    )
    received_on = models.DateField("信访日期")
    registered_at = models.DateTimeField("登记时间")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    registered_org = models.ForeignKey(
        Org, verbose_name="登记机构", on_delete=models.PROTECT, related_name="registered_cases"
    )
    registered_level = models.CharField("登记机构级别", max_length=16)
    # A matter received through another system's exchange (the historic import): the level of the
    # organ outside this installation that registered it, which statistics count (a visit to the
    # national bureau is a 进京访 though this installation's bureau registered it here). Blank for
    # matters registered here.
    outside_level = models.CharField("来源登记机构级别", max_length=16, blank=True)
    headcount = models.PositiveIntegerField("信访人数", default=1)
    via_proper_ladder = models.BooleanField("依法逐级走访", default=True)
    accused_person = models.CharField("被反映人", max_length=100, blank=True)
    accused_org = models.ForeignKey(
        Org,
        verbose_name="被反映单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accusations",
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="群众账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name="重复信访件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="主件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followers",
    )

    # Projection of the event log, kept by the services for fast queries.
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    current_org = models.ForeignKey(
        Org, verbose_name="当前责任单位", on_delete=models.PROTECT, related_name="current_cases"
    )
    review_org = models.ForeignKey(
        Org, verbose_name="复查/复核机关", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    next_due_at = models.DateTimeField("下一期限", null=True, blank=True, db_index=True)
    # The clock due at next_due_at (a duty before a window on the same day); blank when not known:
    # no next due moment, a duty due while several are open, or written before this field (the
    # sweep derives; see clocks.next_due_clock).
    next_due_clock = models.CharField("下一期限所属时限", max_length=32, blank=True, default="")
    paused = models.BooleanField("听证中", default=False)
    extension_days = models.PositiveSmallIntegerField("已延期天数", default=0)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    # Hash of the newest event: lets verify_events notice a deleted tail of the log.
    last_event_hash = models.CharField("最新记录摘要", max_length=64, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["current_org", "status"]),
            models.Index(fields=["registered_org", "registered_at"]),
            models.Index(fields=["registered_at", "id"]),
            # The list sorted by 信访日期 (a bureau-wide user's first page stops after its rows).
            models.Index(fields=["received_on", "id"], name="case_received_id"),
            # A unit's open cases (its 期限预警 page counts their warnings): the closed years a
            # unit has handled are not in it.
            models.Index(
                fields=["current_org", "id"],
                name="case_open_by_holder",
                condition=models.Q(closed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(headcount__gte=1), name="case_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def next_due_on(self) -> dt.date | None:
        """The last day of the next period (next_due_at is 24:00 of that day, Beijing time)."""
        from xinfang.cases.clocks import due_day  # the one inverse of due_moment

        return None if self.next_due_at is None else due_day(self.next_due_at)

    @property
    def is_overdue(self) -> bool:
        """An organ's duty clock is past its due moment now (the one meaning: `clocks.overdue_q`)."""
        from xinfang.cases.clocks import is_overdue
        from xinfang.core.timeutil import now

        return is_overdue(self, now())

    # Report facts: defined once in xinfang.cases.expressions, for SQL and for a case in hand.
    @property
    def is_collective(self) -> bool:
        """集体访: a visit by 5 or more people (threshold configurable, DOMAIN §4)."""
        from xinfang.cases.expressions import COLLECTIVE

        return COLLECTIVE.holds(self)

    @property
    def is_skip_level(self) -> bool:
        from xinfang.cases.expressions import SKIP_LEVEL

        return SKIP_LEVEL.holds(self)

    @property
    def is_beijing_visit(self) -> bool:
        """进京访: a visit registered at a national organ about a matter elsewhere."""
        from xinfang.cases.expressions import BEIJING_VISIT

        return BEIJING_VISIT.holds(self)

    @property
    def channel_group(self) -> str:
        from xinfang.cases.expressions import channel_group_of

        return channel_group_of(self.channel)


class CaseUnit(models.Model):
    """A unit handling the case: one lead (主办) and any number of assisting units (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        ASSIST = "assist", "协办"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="units")
    org = models.ForeignKey(Org, verbose_name="单位", on_delete=models.PROTECT, related_name="case_units")
    role = models.CharField("角色", max_length=8, choices=Role.choices)
    is_active = models.BooleanField("有效", default=True)
    since = models.DateTimeField("起始时间")

    class Meta:
        verbose_name = "办理单位"
        verbose_name_plural = "办理单位"
        indexes = [models.Index(fields=["org", "is_active"])]

    def __str__(self) -> str:
        return f"{self.org} ({self.get_role_display()})"


class CaseAccess(models.Model):
    """Who takes part in a case, kept for the access policy (`cases_visible_to`).

    One row per organ that takes part in the case and one per problem region, rewritten by
    `xinfang.cases.access.refresh_case_access` in the transaction of every change to the case. The
    policy is then a semi-join on the indexes below instead of a scan of every case. Only ids are
    stored: the organs' and regions' paths are read from their own tables, so moving an organ in
    the tree or to another region needs no rewrite here.
    """

    # Indexed by the unique constraints below (case first).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access", db_index=False)
    # An organ that registered, is or was responsible, handles or handled, or reviews the case;
    # blank on the row of the problem region.
    org = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    region = models.ForeignKey(Region, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The organ registered or handles or handled the case: the governments above it see it.
    tree = models.BooleanField(default=False)
    # The organ registered or is responsible for the case now: the petition bureaus over its
    # region see it.
    area = models.BooleanField(default=False)

    class Meta:
        verbose_name = "可见范围"
        verbose_name_plural = "可见范围"
        indexes = [
            # Covering: "org in these, with these flags" is an index range scan yielding case ids.
            models.Index(fields=["org", "tree", "area", "case"], name="case_access_org"),
            models.Index(fields=["region", "case"], name="case_access_region"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "org"], name="case_access_org_once"),
            models.UniqueConstraint(fields=["case", "region"], name="case_access_region_once"),
            models.CheckConstraint(
                condition=models.Q(org__isnull=False, region__isnull=True)
                | models.Q(org__isnull=True, region__isnull=False),
                name="case_access_org_or_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.org_id or self.region_id}"


class Petitioner(pii.EncryptedPerson, models.Model):
    """A person who raised the matter. Name, ID number and phone are encrypted at rest."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    name_enc = models.TextField("姓名（密文）")
    id_number_enc = models.TextField("证件号码（密文）", blank=True)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    name_hash = models.CharField(max_length=64, db_index=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # The name alone (`pii.name_key`), for the search by name; name_hash is of name and address.
    name_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    address = models.CharField("住址", max_length=200, blank=True)
    is_representative = models.BooleanField("代表", default=False)

    class Meta:
        verbose_name = "信访人"
        verbose_name_plural = "信访人"
        ordering = ["id"]

    def __str__(self) -> str:
        return pii.mask_name(self.name)


class CaseEvent(models.Model):
    """One step in a case's history. Append-only; each row carries the hash of the one before."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("事件", max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        Org, verbose_name="操作机构", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")
    payload = models.JSONField("内容", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    pages = models.PositiveIntegerField("页数", default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """满意度评价 on two tracks: the petition bureau and the responsible unit (DOMAIN §3)."""

    class Track(models.TextChoices):
        BUREAU = "bureau", "信访部门"
        UNIT = "unit", "责任单位"

    class Value(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY = "basically", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ratings")
    track = models.CharField("评价对象", max_length=8, choices=Track.choices)
    org = models.ForeignKey(Org, verbose_name="被评价单位", on_delete=models.PROTECT, related_name="+")
    value = models.CharField("评价", max_length=16, choices=Value.choices)
    reason = models.TextField("理由", blank=True)
    rated_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        constraints = [models.UniqueConstraint(fields=["case", "track"], name="rating_once_per_track")]

    def __str__(self) -> str:
        return f"{self.get_track_display()}：{self.get_value_display()}"


class IdempotencyKey(models.Model):
    """A client's retry key for intake: the same key from the same user returns the same case."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key


class CaseFact(models.Model):
    """One narrow row of report facts per case, so that statistics never read the event log.

    Written by `xinfang.cases.facts.store_facts` in the transaction of every change to the case
    (`services._core.project` calls it), rebuilt in bulk by `rebuild_case_facts`, and checked by
    `verify_events` against the facts recomputed from the case's events. Every column, its
    definition and its source: docs/development.md, "Fact rows". Overdue is not stored (it moves
    with time): reports use `xinfang.cases.clocks.overdue_q` on the case.
    """

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="report_fact")
    # When and where (dates are Beijing calendar days).
    received_on = models.DateField("信访日期")
    registered_on = models.DateField("登记日期", db_index=True)
    problem_region = models.ForeignKey(
        Region, verbose_name="问题属地", on_delete=models.PROTECT, related_name="+"
    )
    # The region's materialised path: a territory is the prefix `region.path` (see facts.territory_q).
    problem_region_path = models.CharField("问题属地路径", max_length=255)
    # Indexed by case_fact_org_registered (organ first).
    registered_org = models.ForeignKey(
        Org, verbose_name="登记机构", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    registered_level = models.CharField("登记机构级别", max_length=16)
    # What and who.
    channel = models.CharField("信访形式", max_length=16, choices=Channel.choices)
    channel_group = models.CharField("形式分组", max_length=8)
    nature = models.CharField("信访性质", max_length=16, choices=Nature.choices)
    category = models.ForeignKey(
        ContentCategory, verbose_name="内容分类", on_delete=models.PROTECT, related_name="+"
    )
    category_l1 = models.CharField("一级分类代码", max_length=6)
    category_l2 = models.CharField("二级分类代码", max_length=6, blank=True)
    headcount = models.PositiveIntegerField("信访人数")
    is_collective = models.BooleanField("集体访")
    is_skip_level = models.BooleanField("越级访")
    is_beijing_visit = models.BooleanField("进京访")
    # A visit's destination: the level of the organ it was registered at; blank for other channels.
    visit_level = models.CharField("走访登记级别", max_length=16, blank=True)
    is_repeat = models.BooleanField("重复信访")
    repeat_of = models.ForeignKey(
        Case, verbose_name="重复信访件", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_of = models.ForeignKey(
        Case, verbose_name="主件", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where it stands and how it went.
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    route_due_on = models.DateField("交转送期限", null=True)
    accepted_by_bureau_on = models.DateField("信访部门受理日期", null=True)
    accept_due_on = models.DateField("受理告知期限", null=True)
    accepted_by_unit_on = models.DateField("责任单位受理日期", null=True)
    accepted_on = models.DateField("受理日期", null=True, db_index=True)
    responsible_org = models.ForeignKey(
        Org, verbose_name="受理（答复）单位", null=True, on_delete=models.PROTECT, related_name="+"
    )
    handle_due_on = models.DateField("办理答复期限", null=True)
    replied_on = models.DateField("答复日期", null=True)
    reply_outcome = models.CharField("答复类型", max_length=16, blank=True)
    closed_on = models.DateField("办结日期", null=True, db_index=True)
    declined = models.CharField("不予/不再受理", max_length=16, blank=True)
    declined_reason = models.CharField("不予受理法定途径", max_length=32, blank=True)
    review_requested_on = models.DateField("申请复查日期", null=True)
    review_outcome = models.CharField("复查意见", max_length=16, blank=True)
    rereview_requested_on = models.DateField("申请复核日期", null=True)
    rereview_outcome = models.CharField("复核意见", max_length=16, blank=True)
    terminated_on = models.DateField("终结日期", null=True)
    termination_reason = models.CharField("终结理由", max_length=32, blank=True)
    rating_due_on = models.DateField("评价期限", null=True)
    bureau_rating = models.CharField("信访部门评价", max_length=16, blank=True)
    bureau_rated_on = models.DateField("信访部门评价日期", null=True)
    unit_rating = models.CharField("责任单位评价", max_length=16, blank=True)
    unit_rated_on = models.DateField("责任单位评价日期", null=True)
    # The earliest 信访日期 of a repeat petition (同人同事) of this case that is not a duplicate: the
    # one column that follows other cases' events (their links), kept by their services
    # (`facts.refresh_first_repeats`); 一次性化解 compares it with the closure without a subquery.
    first_repeat_on = models.DateField("首次重复信访日期", null=True)
    # Computed by the database from the columns above (`fact_codes`): what reports compare with
    # constants, so that they group by one integer instead of testing each per row.
    codes = models.GeneratedField(
        verbose_name="统计代码",
        expression=fact_codes.expression(),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )

    # What `codes` holds, for the reports' grouped counts (`xinfang.statistics.atoms`).
    STORED_CODES = fact_codes

    class Meta:
        verbose_name = "统计事实"
        verbose_name_plural = "统计事实"
        # Indexes declared here rather than with db_index: PostgreSQL then gets no LIKE index that
        # no query uses; the two on the region path serve every prefix range (territory_q).
        indexes = [
            # A period of a territory, and a territory over periods (PostgreSQL: LIKE 'prefix%').
            models.Index(
                fields=["received_on", "problem_region_path"],
                name="case_fact_received_region",
            ),
            models.Index(
                fields=["problem_region_path", "received_on"],
                name="case_fact_region_received",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            # The work of an organ and those under it.
            models.Index(fields=["registered_org", "registered_on"], name="case_fact_org_registered"),
            models.Index(fields=["category_l1"], name="case_fact_category_l1"),
            models.Index(fields=["status"], name="case_fact_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}"


class FactTally(models.Model):
    """Matters received in a month, summed by the fields of a report's breakdowns (内容分类, 责任单位,
    问题属地, 信访形式, 集体访): what a report on whole months reads instead of every fact row.

    Kept by the database itself: triggers on `CaseFact` (migration 0010) add a row of +1 for each
    matter's fact row written and of -1 for the row it replaces or deletes, so every writer (the
    services, the bulk rebuild, a migration, a bench) keeps it right, and intake never waits on a
    shared counter row. `compact_fact_tallies` (hourly) sums each key's rows into one. A duplicate
    (`duplicate_of`) is no matter: it has no row here, as it has no place in a breakdown.
    """

    month = models.DateField("信访月份")  # the first day of the month of 信访日期
    problem_region_id = models.IntegerField("问题属地")
    problem_region_path = models.CharField("问题属地路径", max_length=255)
    category_l1 = models.CharField("一级分类代码", max_length=6)
    category_l2 = models.CharField("二级分类代码", max_length=6, blank=True)
    responsible_org_id = models.IntegerField("受理（答复）单位", null=True)
    channel = models.CharField("信访形式", max_length=16)
    # A visit's number of people when it is two or more (0 otherwise): 集体访 by any threshold in
    # force (XINFANG_COLLECTIVE_THRESHOLD is at least 2) is then a condition on this row.
    visit_people = models.PositiveIntegerField("来访人数")
    cases = models.IntegerField("件次")
    people = models.IntegerField("人次")

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        indexes = [models.Index(fields=["month"], name="fact_tally_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.problem_region_path} {self.cases}"


class DocumentCounter(models.Model):
    """The last 文号 serial an organ gave in a year to one series of documents (转, 交, 受 ...).

    Locked (select_for_update; SQLite's immediate transactions serialise) by the transaction that
    issues the next document of the series, so numbers run without gaps or repeats
    (xinfang.cases.documents.numbers)."""

    org = models.ForeignKey(Org, verbose_name="发文机关", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    series = models.CharField("文书系列", max_length=16)
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "发文字号计数"
        verbose_name_plural = "发文字号计数"
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "series"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.series} {self.last}"


class DocumentNumber(models.Model):
    """The 文号 given once to the document an event issues: printing it again prints the same one.

    The text is kept as it was given, so a later change of the organ's 机关代字 renumbers nothing."""

    # Events are never deleted; should one be (tampering, which verify_events reports), its number
    # goes with it rather than hiding the deletion behind a protected row.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="document_numbers")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="document_numbers")
    kind = models.CharField("文书类型", max_length=32)
    org = models.ForeignKey(Org, verbose_name="发文机关", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    series = models.CharField("文书系列", max_length=16)
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("发文字号", max_length=64)
    issued_at = models.DateTimeField("编号时间", auto_now_add=True)

    class Meta:
        verbose_name = "发文字号"
        verbose_name_plural = "发文字号"
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="document_number_once_per_document"),
            models.UniqueConstraint(
                fields=["org", "year", "series", "serial"], name="document_number_unique_serial"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseFileExport(models.Model):
    """A case file (案卷) converted to PDF in the background (`xinfang.cases.tasks.write_case_file_pdf`:
    LibreOffice where installed, else the built-in renderer); the .docx itself is written in the request."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name="信访件")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="申请人"
    )
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField("文件名", max_length=255, blank=True)
    content = models.BinaryField("文件内容", blank=True, default=b"")
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "案卷PDF"
        verbose_name_plural = "案卷PDF"
        indexes = [
            models.Index(fields=["case", "requested_by", "-created_at"], name="case_file_export_latest")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class InstructionState(models.TextChoices):
    SENT = "sent", "待阅批"
    INSTRUCTED = "instructed", "待落实"
    REPORTED = "reported", "已落实"


class Instruction(models.Model):
    """领导阅批 (第十八条): a case sent to a leader to read, the leader's instruction (批示) to the unit
    handling it, and the unit's report on how it was carried out.

    A projection of the case's `sent_for_instruction`, `instructed` and `instruction_reported`
    events, for the leaders' and units' queues: written in the transaction of each step
    (`xinfang.cases.instructions.store_instructions`, from the log), and checked against the log by
    `verify_events`. `seq` is that of the event that opened it (the sending, or an instruction a
    leader wrote unprompted) and numbers the instruction within the case.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="instructions", verbose_name="信访件"
    )
    seq = models.PositiveIntegerField("记录序号")
    state = models.CharField("状态", max_length=16, choices=InstructionState.choices)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="领导", on_delete=models.PROTECT, related_name="+"
    )
    leader_org = models.ForeignKey(
        Org, verbose_name="领导所在机关", on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="呈批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_by_org = models.ForeignKey(
        Org, verbose_name="呈批机关", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("呈批时间", null=True, blank=True)
    note = models.TextField("呈批说明", blank=True)
    instructed_at = models.DateTimeField("批示时间", null=True, blank=True)
    text = models.TextField("批示内容", blank=True)
    due_on = models.DateField("落实期限", null=True, blank=True)
    unit = models.ForeignKey(
        Org, verbose_name="落实单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report = models.TextField("落实情况", blank=True)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="instruction_case_seq_unique")]
        indexes = [
            # 待阅批 and 批示跟踪: a leader's rows by state; 领导批示待落实: a unit's, by due date.
            models.Index(fields=["leader", "state"], name="instruction_leader_state"),
            models.Index(fields=["unit", "state", "due_on"], name="instruction_unit_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.get_state_display()}"

    @property
    def is_late(self) -> bool:
        """The unit reported after the due date, or has not and the date has passed (Beijing days)."""
        if self.due_on is None or self.state == InstructionState.SENT:
            return False
        day = local_date(self.reported_at) if self.reported_at else local_date()
        return day > self.due_on
