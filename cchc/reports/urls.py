from django.urls import path

from .views import documents, pages

app_name = "reports"

urlpatterns = [
    path("", pages.report_list, name="report_list"),
    path("start/", pages.report_start, name="report_start"),
    path("overview/", pages.overview, name="overview"),
    path("task/", pages.task_link, name="task_link"),
    path("template/", documents.template_page, name="template"),
    path("template/download/", documents.template_download, name="template_download"),
    path("<int:report_id>/", pages.report_detail, name="report_detail"),
    path("<int:report_id>/sections/<slug:key>/", pages.section_save, name="section_save"),
    path("<int:report_id>/details/", pages.details_save, name="details_save"),
    path("<int:report_id>/submit/", pages.report_submit, name="report_submit"),
    path("<int:report_id>/review/", pages.report_review, name="report_review"),
    path("<int:report_id>/consolidate/", pages.report_consolidate, name="report_consolidate"),
    path("<int:report_id>/files/", documents.report_files, name="report_files"),
    path("<int:report_id>/files/<str:fmt>/build/", documents.report_file_build, name="report_file_build"),
    path("<int:report_id>/file.<str:fmt>", documents.report_download, name="report_download"),
]
