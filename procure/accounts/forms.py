from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from procure.access import ROLES


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class TokenForm(FlaskForm):
    name = StringField("Token name", default="API token", validators=[DataRequired(), Length(max=100)])


class UserForm(FlaskForm):
    organization_id = SelectField("Organization", coerce=int, validators=[DataRequired()])
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(role, role.title()) for role in ROLES])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=1000)])


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
