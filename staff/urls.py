from django.urls import path

from staff import editor, jdviews, views

app_name = "staff"
urlpatterns = [
    path("", views.org_chart, name="org-chart"),
    path("change/<slug:kind>/", editor.change_form, name="change"),
    path("menu/<slug:subject>/<int:pk>/", editor.row_menu, name="row-menu"),
    path("changes/", editor.change_list, name="changes"),
    path("changes/<int:pk>/cancel/", editor.change_cancel, name="change-cancel"),
    path("history/<slug:subject>/<str:key>/", editor.history, name="history"),
    path("positions/<slug:code>/", jdviews.job_description, name="job-description"),
    path("positions/<slug:code>/versions/new/", jdviews.version_new, name="jd-new"),
    path("positions/<slug:code>/versions/<int:number>/", jdviews.version_detail, name="jd-version"),
    path("positions/<slug:code>/versions/<int:number>/edit/", jdviews.version_edit, name="jd-edit"),
    path("positions/<slug:code>/versions/<int:number>/docx/", jdviews.version_docx, name="jd-docx"),
    path("positions/<slug:code>/versions/<int:number>/<slug:action>/", jdviews.version_action, name="jd-action"),
    path("positions/<slug:code>/compare/", jdviews.compare, name="jd-compare"),
]
