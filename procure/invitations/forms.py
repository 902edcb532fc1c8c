from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from procure.invitations.services import MAX_MESSAGE_LENGTH


class InvitationForm(FlaskForm):
    """A buyer's invitation: whom to invite, and what to tell them."""

    email = EmailField("The vendor's email", validators=[DataRequired(), Length(max=254)])
    message = TextAreaField(
        "Message (optional)", validators=[Optional(), Length(max=MAX_MESSAGE_LENGTH)]
    )


class RegistrationForm(FlaskForm):
    """The invitee's vendor organization and its first user, who administers it."""

    organization_name = StringField(
        "Your organization's name", validators=[DataRequired(), Length(max=200)]
    )
    name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Your email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(max=1000)])
    confirm_password = PasswordField(
        "The password again",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
