from rest_framework import permissions


class HasTokenScope(permissions.BasePermission):
    """The view names its scopes: `required_scopes = {"GET": "releases:read", "POST": "releases:write"}`
    (or a `get_required_scope(request)` method for scopes built from the URL)."""

    message = "This token lacks the scope this call needs."

    def has_permission(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "has_scope"):
            return False
        scope = self.required_scope(request, view)
        if scope is None:
            return True
        if token.has_scope(scope):
            return True
        self.message = f"This token lacks the scope '{scope}'."
        return False

    @staticmethod
    def required_scope(request, view):
        getter = getattr(view, "get_required_scope", None)
        if getter is not None:
            return getter(request)
        scopes = getattr(view, "required_scopes", None)
        if scopes is None:
            return "__none__"  # a view that names no scope is closed to tokens
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        return scopes.get(method, scopes.get("*", "__none__"))
