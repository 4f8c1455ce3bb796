"""The district dashboard: per-commune reach behind a login, charts that read without JavaScript,
every table also as CSV."""

from flask import Flask
from flask_login import LoginManager

from ..tallies.cli import tallies_cli
from . import users
from .demo import demo_command

login_manager = LoginManager()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "dashboard.login"
    login_manager.user_loader(users.get)
    app.cli.add_command(users.users_cli)
    tallies_cli.add_command(demo_command)
