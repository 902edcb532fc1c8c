from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from procure.accounts.models import ROLES_BY_KIND, TENANT_KINDS


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", default="API token", validators=[DataRequired(), Length(max=100)]
    )


class UserForm(FlaskForm):
    """A new user of the admin's own organization (there is no organization to choose)."""

    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", validate_choice=False)  # the service names the allowed roles
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=1000)])

    @classmethod
    def for_organization(cls, kind: str) -> "UserForm":
        """The form with the roles of an organization of `kind`, the first that is not admin
        chosen by default: adding an administrator takes a deliberate choice."""
        roles = ROLES_BY_KIND[kind]
        form = cls()
        form.role.choices = [SelectChoice(role, role.title()) for role in roles]
        if form.role.data is None:
            form.role.data = next((role for role in roles if role != "admin"), roles[0])
        return form


class OrganizationForm(FlaskForm):
    """The operator's form: a new tenant organization and its first admin."""

    name = StringField("Organization name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=[SelectChoice(kind, kind.title()) for kind in TENANT_KINDS])
    admin_name = StringField(
        "Its administrator's full name", validators=[DataRequired(), Length(max=200)]
    )
    admin_email = EmailField(
        "Its administrator's email", validators=[DataRequired(), Length(max=254)]
    )
    admin_password = PasswordField(
        "Its administrator's initial password", validators=[DataRequired(), Length(max=1000)]
    )


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
