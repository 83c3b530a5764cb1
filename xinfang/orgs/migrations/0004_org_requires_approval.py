from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0003_org_doc_prefix"),
    ]

    operations = [
        migrations.AddField(
            model_name="org",
            name="requires_approval",
            field=models.BooleanField(
                default=True,
                help_text="勾选：延期申请和处理意见书须由本单位审核人或信访部门负责人批准后生效；不勾选（如只有一人的乡镇信访办）：申请即生效，记为自行批准。",
                verbose_name="延期和意见书须经审核",
            ),
        ),
    ]
