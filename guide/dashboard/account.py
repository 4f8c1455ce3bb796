"""Signing in to the dashboard and out of it (how often the form may be tried: signin.py)."""

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from . import signin, users
from .access import home_url
from .blueprint import bp
from .forms import LoginForm, LogoutForm


@bp.route("/thong-ke/dang-nhap", with_commune=False, methods=["GET", "POST"])
@signin.limited
def login():
    # A form body only: Flask-WTF would also read JSON, whose values need not be strings.
    form = LoginForm(formdata=request.form if request.method == "POST" else None)
    error = None
    if form.validate_on_submit():
        user = users.authenticate(form.name.data, form.password.data)
        if user is not None:
            session.clear()  # nothing from before signing in is carried into the signed-in session
            login_user(user)
            return signin.signed_in(redirect(home_url(user), 303))
        error = _("The name or the password is not right.")
    elif request.method == "POST":
        error = (
            _("The form expired. Please enter your name and password again.")
            if "csrf_token" in form.errors
            else _("The name or the password is not right.")
        )
    return render_template("dashboard/login.html", form=form, error=error), 200


@bp.route("/thong-ke/dang-xuat", with_commune=False, methods=["POST"])
def logout():
    if LogoutForm(formdata=request.form).validate_on_submit() and current_user.is_authenticated:
        # Every session of this user ends, a copied cookie too; first, so that when the database
        # cannot write it, signing out fails visibly ("try again", 503, still signed in) rather
        # than clearing this browser's cookie while a copy of it still opens the dashboard.
        users.end_sessions(current_user.id)
        logout_user()
    return redirect(url_for("dashboard.login"), 303)
