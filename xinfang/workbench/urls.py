from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinfang.workbench import case_files, case_search, cases, notifications, views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("xinfang.workbench.urls_actions")),
    path("", include("xinfang.workbench.urls_supervision")),
    path("", include("xinfang.workbench.urls_alerts")),
    path("", include("xinfang.workbench.urls_approvals")),
    path("", include("xinfang.workbench.urls_instructions")),
    path("", include("xinfang.workbench.urls_statistics")),
    path("", include("xinfang.workbench.urls_assessment")),
    path("", include("xinfang.workbench.urls_bulletins")),
    path("", include("xinfang.workbench.urls_leadership")),
    path("", include("xinfang.workbench.urls_reception")),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification-read-all"),
    path(
        "notifications/<int:notification_id>/read/", notifications.notification_read, name="notification-read"
    ),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/export/", case_search.case_export, name="case-export"),
    path("cases/bulk-forward/", case_search.case_bulk_forward, name="case-bulk-forward"),
    path("cases/person-matters/", case_search.person_matters_json, name="person-matters"),
    path("cases/<int:case_id>/", cases.case_view, name="case-detail"),
    path("cases/<int:case_id>/documents/<str:kind>/", cases.case_document, name="case-document"),
    path("cases/<int:case_id>/case-file/", cases.case_file, name="case-file"),
    path("cases/<int:case_id>/case-file/pdf/", case_files.case_file_pdf_request, name="case-file-pdf"),
    path(
        "cases/<int:case_id>/case-file/pdf/<int:export_id>/",
        case_files.case_file_pdf_download,
        name="case-file-pdf-download",
    ),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/", cases.case_attachment, name="case-attachment"
    ),
]
