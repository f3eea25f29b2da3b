"""Continuous tasks' period reports used to complete the period without the secretariat's acceptance.

A period completed that way was never accepted: it goes back to what the data says — waiting for acceptance when
its last report is a 100 % report, otherwise open (in progress, or overdue once the period is over). Going back
(reversing) leaves the rows as they are.
"""

from django.db import migrations


def reopen(apps, schema_editor):
    Assignment = apps.get_model("directives", "Assignment")
    ProgressReport = apps.get_model("directives", "ProgressReport")
    unaccepted = Assignment.objects.filter(
        task__deadline_kind="continuous", completed_on__isnull=False, accepted_at__isnull=True
    )
    pending_ids, open_ids, report_ids = [], [], []
    for assignment_id in unaccepted.values_list("pk", flat=True).iterator():
        last = (
            ProgressReport.objects.filter(assignment_id=assignment_id)
            .order_by("-created_at", "-pk")
            .values("pk", "percent")
            .first()
        )
        if last is not None and last["percent"] == 100:
            pending_ids.append(assignment_id)
            report_ids.append(last["pk"])
        else:
            open_ids.append(assignment_id)
    for start in range(0, len(report_ids), 1000):
        ProgressReport.objects.filter(pk__in=report_ids[start : start + 1000]).update(review_state="pending")
    for start in range(0, len(pending_ids), 1000):
        Assignment.objects.filter(pk__in=pending_ids[start : start + 1000]).update(
            completed_on=None, review_pending=True
        )
    for start in range(0, len(open_ids), 1000):
        Assignment.objects.filter(pk__in=open_ids[start : start + 1000]).update(completed_on=None)


class Migration(migrations.Migration):
    dependencies = [("directives", "0005_origin_key_and_succession_note")]

    operations = [migrations.RunPython(reopen, migrations.RunPython.noop)]
