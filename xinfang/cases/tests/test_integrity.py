from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.tests.helpers import to_delivered
from xinfang.orgs.services import org_update
from xinfang.testing.world import World

GENESIS = "0" * 64


@pytest.fixture(autouse=True)
def _unit_decides_alone(world: World) -> None:
    """The chains below number their records as a unit that needs no approval writes them (the
    reply is one record, not draft, approval and reply)."""
    org_update(org=world.city_housing, requires_approval=False)


def _body(event: CaseEvent, prev_hash: str) -> bytes:
    """The digested content of an event, as the product defines it (written out independently)."""
    return json.dumps(
        [
            prev_hash,
            event.case_id,
            event.seq,
            event.kind,
            event.actor_id,
            event.org_id,
            event.at.isoformat(),
            event.payload,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    ).encode()


def rechain(case: Case, *, key: bytes | None) -> None:
    """What a database writer does after editing an event: recompute every digest and the case's head.

    `key=None` recomputes plain SHA-256 (all an attacker without the key can do); with the key it is
    what a key holder could do.
    """
    prev = GENESIS
    for event in CaseEvent.objects.filter(case=case).order_by("seq"):
        body = _body(event, prev)
        digest = (
            hashlib.sha256(body).hexdigest() if key is None else hmac.new(key, body, "sha256").hexdigest()
        )
        CaseEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    Case.objects.filter(pk=case.pk).update(last_event_hash=prev)


def edit_reply(case: Case) -> None:
    event = case.events.get(kind="replied")
    CaseEvent.objects.filter(pk=event.pk).update(payload=dict(event.payload, outcome="not_support"))


def key() -> bytes:
    return settings.EVENT_CHAIN_KEY.encode()


def anchor_file() -> Path:
    return Path(settings.XINFANG_ANCHOR_DIR) / "event-anchors.jsonl"


def test_an_untouched_log_verifies(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    to_delivered(world)
    call_command("verify_events")
    assert "检查了 1 件，办理记录完整" in capsys.readouterr().out


def test_an_untouched_log_verifies_against_its_anchors(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    to_delivered(world)
    call_command("anchor_events")
    to_delivered(world)
    call_command("anchor_events")
    call_command("verify_events")
    out = capsys.readouterr().out
    assert "检查了 2 件，办理记录完整，信访件状态与记录一致" in out and "锚定文件 2 行，覆盖 2 件" in out


def test_an_edited_event_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_delivered(world)
    edit_reply(case)
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert "记录 #4（replied）内容被改动" in capsys.readouterr().err


def test_an_edited_reply_with_the_plain_chain_recomputed_is_detected(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the key a database writer can only recompute SHA-256 digests: that no longer passes."""
    case = to_delivered(world)
    edit_reply(case)
    rechain(case, key=None)
    with pytest.raises(CommandError):
        call_command("verify_events")
    assert f"{case.number}: 记录 #1 起未用现行密钥摘要，也未经锚定" in capsys.readouterr().err


def test_a_chain_recomputed_with_the_key_after_anchoring_is_detected(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    case = to_delivered(world)
    call_command("anchor_events")
    edit_reply(case)
    rechain(case, key=key())  # a key holder rewrites history: the chain itself is consistent again
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert f"{case.number}: 已锚定的记录 #5 摘要已变（锚定后被改写）" in capsys.readouterr().err


def test_a_deleted_last_event_after_anchoring_is_detected(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    case = to_delivered(world)
    call_command("anchor_events")
    CaseEvent.objects.filter(case=case, kind="delivered").delete()
    # The writer also points the case at the new last event and puts the status back.
    replied = case.events.get(kind="replied")
    Case.objects.filter(pk=case.pk).update(last_event_hash=replied.hash, status="replied")
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert f"{case.number}: 已锚定的记录 #5 不存在（锚定后被删除）" in capsys.readouterr().err


def test_a_deleted_event_in_the_middle_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_delivered(world)
    CaseEvent.objects.filter(case=case, kind="accepted").delete()
    with pytest.raises(CommandError):
        call_command("verify_events", number=case.number)
    assert "记录 #3 缺失" in capsys.readouterr().err


def test_a_deleted_last_event_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_delivered(world)
    CaseEvent.objects.filter(case=case, kind="delivered").delete()
    with pytest.raises(CommandError):
        call_command("verify_events")
    assert "记录可能被删除" in capsys.readouterr().err


# ---- upgrading from plain SHA-256 digests, and retired keys ------------------------------------


def test_a_plain_chain_from_before_the_upgrade_verifies_once_anchored(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    case = to_delivered(world)
    rechain(case, key=None)  # as a database written before the chain was keyed has it
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    assert "记录 #1 起未用现行密钥摘要，也未经锚定" in capsys.readouterr().err
    call_command("anchor_events")  # the upgrade step
    call_command("verify_events")
    # ... and once anchored, editing an old event and recomputing the plain chain is found.
    edit_reply(case)
    rechain(case, key=None)
    with pytest.raises(CommandError):
        call_command("verify_events")
    assert "已锚定的记录 #5 摘要已变" in capsys.readouterr().err


def test_new_events_chain_onto_a_plain_history_and_cover_it(world: World) -> None:
    from xinfang.cases import services

    case = to_delivered(world)
    rechain(case, key=None)
    services.case_terminate(
        actor=world.handler, case=Case.objects.get(pk=case.pk), reason="petitioner_accepted"
    )
    call_command("verify_events")  # the keyed #6 digests #5, which digests the rest


def test_a_keyed_chain_rewritten_as_plain_is_detected(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Passing rewritten events off as written before the upgrade does not work after anchoring."""
    case = to_delivered(world)
    call_command("anchor_events")
    edit_reply(case)
    rechain(case, key=None)
    with pytest.raises(CommandError):
        call_command("verify_events")
    assert "已锚定的记录 #5 摘要已变" in capsys.readouterr().err


def test_events_under_a_retired_key_still_verify(world: World, settings: object) -> None:
    case = to_delivered(world)
    old = settings.EVENT_CHAIN_KEY  # type: ignore[attr-defined]
    settings.EVENT_CHAIN_KEY = "a-new-event-chain-key-after-rotation-0123456789"  # type: ignore[attr-defined]
    settings.EVENT_CHAIN_RETIRED_KEYS = [old]  # type: ignore[attr-defined]
    call_command("anchor_events")  # the rotation step
    call_command("verify_events")
    settings.EVENT_CHAIN_RETIRED_KEYS = []  # type: ignore[attr-defined]
    with pytest.raises(CommandError):
        call_command("verify_events", number=case.number)


# ---- the anchor file ----------------------------------------------------------------------------


def test_each_anchor_run_appends_only_the_heads_that_changed(world: World) -> None:
    from xinfang.cases import services

    first, second = to_delivered(world), to_delivered(world)
    call_command("anchor_events")
    call_command("anchor_events")
    services.case_terminate(actor=world.handler, case=first, reason="petitioner_accepted")
    call_command("anchor_events")
    lines = [json.loads(line) for line in anchor_file().read_text().splitlines()]
    assert [len(line["heads"]) for line in lines] == [2, 0, 1]
    assert lines[0]["heads"] == [
        [first.pk, 5, Case.objects.get(pk=first.pk).events.get(seq=5).hash],
        [second.pk, 5, second.last_event_hash],
    ]
    assert lines[2]["heads"] == [[first.pk, 6, Case.objects.get(pk=first.pk).last_event_hash]]
    assert lines[1]["prev"] == hashlib.sha256(anchor_file().read_bytes().splitlines()[0]).hexdigest()
    assert all(line["cases"] == 2 for line in lines)


def test_the_latest_anchor_can_be_shown_and_checked_later(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    to_delivered(world)
    call_command("anchor_events")
    capsys.readouterr()
    call_command("anchor_events", show=True)
    out = capsys.readouterr().out
    kept = next(line.split()[1] for line in out.splitlines() if line.startswith("指纹"))
    assert kept == hashlib.sha256(anchor_file().read_bytes().rstrip(b"\n")).hexdigest()
    call_command("verify_events", fingerprint=kept)
    anchor_file().write_bytes(b"")  # the anchor file replaced by an empty one
    with pytest.raises(CommandError):
        call_command("verify_events", fingerprint=kept)
    assert f"锚定文件中没有指纹为 {kept} 的记录" in capsys.readouterr().err


def test_an_edited_or_removed_anchor_line_is_detected(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        to_delivered(world)
        call_command("anchor_events")
    lines = anchor_file().read_bytes().splitlines(keepends=True)
    edited = json.loads(lines[0])
    edited["heads"][0][1] = 4
    anchor_file().write_bytes(json.dumps(edited).encode() + b"\n" + lines[2])
    with pytest.raises(CommandError):
        call_command("verify_events")
    err = capsys.readouterr().err
    assert "锚定文件第 1 行的校验码不符" in err
    assert "锚定文件第 2 行与前一行不衔接" in err


# ---- the projection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("status", "accepted", "状态为 'accepted'，按办理记录应为 'delivered'"),
        ("current_org", "other", "当前责任单位为"),
        ("review_org", "other", "复查/复核机关为"),
        ("closed_at", "now", "办结时间为"),
        ("received_on", "date", "信访日期为"),
    ],
)
def test_a_tampered_projection_is_detected(
    world: World, capsys: pytest.CaptureFixture[str], field: str, value: str, label: str
) -> None:
    import datetime as dt

    case = to_delivered(world)
    other = world.other_county_labour
    change = {
        "status": {"status": value},
        "current_org": {"current_org_id": other.pk},
        "review_org": {"review_org_id": other.pk},
        "closed_at": {"closed_at": case.updated_at},
        "received_on": {"received_on": case.received_on - dt.timedelta(days=3)},
    }[field]
    Case.objects.filter(pk=case.pk).update(**change)  # e.g. update cases_case set status='accepted' ...
    with pytest.raises(CommandError, match="发现 1 处"):
        call_command("verify_events")
    err = capsys.readouterr().err
    assert f"{case.number}: {label}" in err
    call_command("verify_events", no_projection=True)


def test_the_integrity_jobs_are_scheduled_and_run(world: World) -> None:
    from xinfang.cases.tasks import anchor_events, verify_events
    from xinfang.core.schedule import registered_jobs

    names = {job.name for job in registered_jobs()}
    assert {"anchor_events", "verify_events"} <= names
    case = to_delivered(world)
    assert anchor_events.call()["heads"] == 1
    assert verify_events.call()["problems"] == 0
    Case.objects.filter(pk=case.pk).update(status="accepted", current_org_id=world.other_county_labour.pk)
    assert verify_events.call()["problems"] == 2


def test_production_needs_its_own_event_chain_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PII_KEY": Fernet.generate_key().decode(),
        "EVENT_CHAIN_KEY": "",
        "XINFANG_VAR_DIR": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True
    )
    assert "EVENT_CHAIN_KEY must be set when DEBUG is off" in run.stderr
    env["EVENT_CHAIN_KEY"] = "k" * 60
    run = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True
    )
    assert "EVENT_CHAIN_KEY is too weak" in run.stderr
    env["EVENT_CHAIN_KEY"] = secrets.token_urlsafe(50)
    run = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
