from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from procure.access import ROLES


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", default="API token", validators=[DataRequired(), Length(max=100)]
    )


class UserForm(FlaskForm):
    organization_id = SelectField("Organization", coerce=int, validators=[DataRequired()])
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(role, role.title()) for role in ROLES])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=1000)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1000)]
    )
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1000)])
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired(),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
    )


class PasswordResetForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=1000)])
    confirm_password = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("password", message="The two new passwords differ.")],
    )


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change state."""
