from django.urls import path

from . import views

app_name = "surveys"
Q = "<int:questionnaire_id>/"
urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire_list"),
    path("new/", views.questionnaire_create, name="questionnaire_create"),
    path("import/", views.xlsform_import, name="xlsform_import"),
    path(Q, views.questionnaire_detail, name="questionnaire_detail"),
    path(Q + "edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path(Q + "delete/", views.questionnaire_delete, name="questionnaire_delete"),
    path(Q + "copy/", views.questionnaire_copy, name="questionnaire_copy"),
    path(Q + "versions/new/", views.version_new, name="version_new"),
    path(Q + "versions/<int:number>/publish/", views.version_publish, name="version_publish"),
    path(Q + "versions/<int:number>/close/", views.version_close, name="version_close"),
    path(Q + "versions/<int:number>/discard/", views.version_discard, name="version_discard"),
    path(Q + "versions/<int:number>/xlsform/", views.xlsform_export, name="xlsform_export"),
    path(Q + "collection/", views.collection_overview, name="collection"),
    path(Q + "collection/links/new/", views.point_create, name="point_create"),
    path(Q + "collection/links/<int:point_id>/active/", views.point_toggle, name="point_toggle"),
    path(Q + "collection/links/<int:point_id>/qr.png", views.point_qr, {"kind": "png"}, name="point_qr_png"),
    path(Q + "collection/links/<int:point_id>/qr.svg", views.point_qr, {"kind": "svg"}, name="point_qr_svg"),
    path(Q + "collection/links/<int:point_id>/poster.pdf", views.point_poster, name="point_poster"),
    path(Q + "invitations/", views.campaign_list, name="campaign_list"),
    path(Q + "invitations/new/", views.campaign_create, name="campaign_create"),
    path(Q + "invitations/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path(Q + "invitations/<int:campaign_id>/import/", views.invitation_import, name="invitation_import"),
    path(Q + "invitations/<int:campaign_id>/template.xlsx", views.invitation_template, name="invitation_template"),
    path(Q + "invitations/<int:campaign_id>/send/", views.invitations_send, name="invitations_send"),
    path(Q + "invitations/<int:campaign_id>/remind/", views.invitations_remind, name="invitations_remind"),
    path(Q + "sections/new/", views.section_add, name="section_add"),
    path(Q + "sections/<int:section_id>/edit/", views.section_edit, name="section_edit"),
    path(Q + "sections/<int:section_id>/move/", views.section_move, name="section_move"),
    path(Q + "sections/<int:section_id>/delete/", views.section_delete, name="section_delete"),
    path(Q + "questions/new/", views.question_add, name="question_add"),
    path(Q + "questions/<int:question_id>/edit/", views.question_edit, name="question_edit"),
    path(Q + "questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path(Q + "questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path(Q + "questions/<int:question_id>/choices/new/", views.choice_add, name="choice_add"),
    path(Q + "choices/<int:choice_id>/edit/", views.choice_edit, name="choice_edit"),
    path(Q + "choices/<int:choice_id>/move/", views.choice_move, name="choice_move"),
    path(Q + "choices/<int:choice_id>/delete/", views.choice_delete, name="choice_delete"),
]
urlpatterns += [
    path(Q + "results/", views.results_page, name="results"),
    path(Q + "results/responses.csv", views.results_export, {"kind": "csv"}, name="results_csv"),
    path(Q + "results/comments/<int:answer_id>/handled/", views.comment_handle, name="comment_handle"),
    path(Q + "results/responses.xlsx", views.results_export, {"kind": "xlsx"}, name="results_xlsx"),
    path(Q + "results/report.docx", views.results_report_docx, name="results_docx"),
    path(Q + "results/comments/", views.comments_page, name="comments"),
    path(Q + "results/comments/<int:answer_id>/task/", views.comment_task, name="comment_task"),
]
