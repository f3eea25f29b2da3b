from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/search/", views.user_search, name="user_search"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:user_id>/password/", views.user_password, name="user_password"),
    path("users/<int:user_id>/tokens/", views.user_tokens, name="user_tokens"),
    path("users/<int:user_id>/tokens/<int:token_id>/revoke/", views.user_token_revoke, name="user_token_revoke"),
    path("users/<int:user_id>/roles/", views.role_grant, name="role_grant"),
    path("users/<int:user_id>/roles/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
]
