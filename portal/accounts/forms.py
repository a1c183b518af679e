"""Sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Please enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Please enter your password.")), Length(max=1024)])
    next = HiddenField()
