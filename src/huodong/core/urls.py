from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("admin/organisation/", views.organisation_edit, name="organisation"),
    path("admin/departments/", views.department_list, name="departments"),
    path("admin/departments/new/", views.department_edit, name="department_new"),
    path("admin/departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("admin/people/", views.person_list, name="people"),
    path("admin/people/new/", views.person_edit, name="person_new"),
    path("admin/people/<int:pk>/", views.person_edit, name="person_edit"),
    path("admin/audit/", views.audit_log, name="audit"),
]
