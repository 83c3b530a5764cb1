"""Load the fictional 示例市 demo data (safe to run again: nothing is duplicated)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.models import Case, Status
from xinfang.demo.cases import create_demo_staff, generate_cases
from xinfang.demo.generator import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create the demo regions, organisations and staff of 示例市 (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--cases",
            type=int,
            default=2000,
            help="Demo cases to create when there are none yet (default 2000).",
        )
        parser.add_argument(
            "--without-cases",
            action="store_true",
            help="Only the organisations and staff, no cases (to try import_cases on an empty installation).",
        )

    def handle(self, *args: Any, quiet_logins: bool, cases: int, without_cases: bool, **options: Any) -> None:
        summary = load_demo()
        if cases < 0:
            raise CommandError("--cases must be zero or more.")
        if without_cases:
            create_demo_staff()
            self.stdout.write("未生成示例信访事项（--without-cases）：可用 import_cases 导入原有记录。")
        elif cases and not Case.objects.exists():
            self.stdout.write(f"正在生成 {cases} 件示例信访事项（近 24 个月，各办理阶段）……")
            counts = generate_cases(
                cases, progress=lambda done: self.stdout.write(f"  已生成 {done}/{cases} 件")
            )
            parts = "，".join(f"{Status(s).label} {n}" for s, n in counts.items() if n)
            self.stdout.write(f"示例信访事项：{parts}。")
        self._train_classifier_if_missing()
        created = summary.created
        if any(created.values()):
            self.stdout.write(
                f"示例数据已创建：区划 {created['regions']} 个，机构 {created['orgs']} 个，账号 {created['users']} 个。"
            )
        else:
            self.stdout.write("示例数据已存在，未重复创建。")
        if quiet_logins:
            return
        self.stdout.write(f"\n示例账号（密码均为 {DEMO_PASSWORD}）：")
        for username, description, _password in summary.logins:
            self.stdout.write(f"  {username:<14} {description}")

    def _train_classifier_if_missing(self) -> None:
        """Without a model the registration page's 查重 suggests no category: train one from the demo
        bureau's own categorised cases (as `textintel_train --from-db` would), unless one is there."""
        from xinfang.textintel.classify import MODEL_FILE
        from xinfang.textintel.db.intake import model_dir

        target = model_dir()
        if (target / MODEL_FILE).exists() or not Case.objects.exists():
            return
        call_command("textintel_train", from_db=True, out=str(target), stdout=self.stdout)
        self.stdout.write(f"已用示例信访事项训练内容分类模型：{target}")
