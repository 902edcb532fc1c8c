"""Extensions, created unbound and initialised in create_app."""

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from procure.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
api = Api()
login_manager = LoginManager()
csrf = CSRFProtect()
# Counts requests per client address (procure/accounts/limits.py declares the limits). A storage
# that fails lets requests through, logged: the per-email throttle and the lockout still hold.
limiter = Limiter(key_func=lambda: request.remote_addr or "unknown", swallow_errors=True)
