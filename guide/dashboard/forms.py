"""The dashboard's forms (Flask-WTF, each with its CSRF token)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    name = StringField("name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


class LogoutForm(FlaskForm):
    pass


class TargetForm(FlaskForm):
    commune = StringField("xa", validators=[Length(max=80)])
    percent = StringField("muc-tieu", validators=[Length(max=10)])
