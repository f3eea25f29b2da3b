from django.urls import path

from .views import assignments, directives, quality, review, tracker

app_name = "directives"
urlpatterns = [
    path("", directives.directive_list, name="directive_list"),
    path("new/", directives.directive_create, name="directive_create"),
    path("upload/", review.directive_upload, name="directive_upload"),
    path("drafts/<int:draft_id>/", review.draft_review, name="draft_review"),
    path("drafts/<int:draft_id>/reading/", review.draft_reading, name="draft_reading"),
    path("drafts/<int:draft_id>/selection/", review.draft_selection_task, name="draft_selection_task"),
    path("drafts/<int:draft_id>/discard/", review.draft_discard, name="draft_discard"),
    path("<int:directive_id>/", directives.directive_detail, name="directive_detail"),
    path("<int:directive_id>/edit/", directives.directive_edit, name="directive_edit"),
    path("<int:directive_id>/file/", directives.directive_file, name="directive_file"),
    path("<int:directive_id>/hand-over/", directives.directive_hand_over, name="directive_hand_over"),
    path("<int:directive_id>/tasks/new/", directives.task_create, name="task_create"),
    path("tasks/<int:task_id>/", directives.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/edit/", directives.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/delete/", directives.task_delete, name="task_delete"),
    path("tasks/<int:task_id>/cancel/", directives.task_cancel, name="task_cancel"),
    path("mine/", assignments.my_tasks, name="my_tasks"),
    path("mine/notifications/read/", assignments.notifications_read, name="notifications_read"),
    path("assignments/<int:assignment_id>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<int:assignment_id>/report/", assignments.report_create, name="report_create"),
    path("assignments/<int:assignment_id>/extension/", assignments.extension_create, name="extension_create"),
    path("reports/<int:report_id>/review/", assignments.report_review, name="report_review"),
    path("extensions/<int:extension_id>/decide/", assignments.extension_decide, name="extension_decide"),
    path("attachments/<int:attachment_id>/", assignments.attachment_download, name="attachment_download"),
    path("tracker/", tracker.tracker, name="tracker"),
    path("tracker/export/", tracker.tracker_export, name="tracker_export"),
    path("tracker/remind/", tracker.tracker_remind, name="tracker_remind"),
    path("stats/", tracker.stats, name="stats"),
    path("stats/publish/", tracker.stats_publish, name="stats_publish"),
    path("extraction-quality/", quality.extraction_quality, name="extraction_quality"),
    path("extraction-quality/export/", quality.extraction_quality_export, name="extraction_quality_export"),
]
