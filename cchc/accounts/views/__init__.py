"""Pages of accounts: one's own account (``auth``), people and their roles (``people``), personal API tokens
(``tokens``), and the search behind the person picker (``search``)."""

from .auth import LoginView, PasswordChangeView, locked_out, logout_view, profile
from .people import role_grant, role_revoke, user_create, user_detail, user_edit, user_list, user_password
from .search import user_search
from .tokens import token_create, token_revoke, user_token_revoke, user_tokens

__all__ = [
    "LoginView",
    "PasswordChangeView",
    "locked_out",
    "logout_view",
    "profile",
    "role_grant",
    "role_revoke",
    "token_create",
    "token_revoke",
    "user_create",
    "user_detail",
    "user_edit",
    "user_list",
    "user_password",
    "user_search",
    "user_token_revoke",
    "user_tokens",
]
