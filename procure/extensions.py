"""Extensions, created unbound and initialised in create_app."""

from threading import Lock

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from procure.db import Base


class LazyDocApi(Api):
    """flask-smorest's Api, which writes a blueprint's views into the OpenAPI document when the
    document is first read instead of when the blueprint is registered.

    Writing the document is about half of building the app (every schema is resolved and deep
    copied), and most processes never read it: a worker, a command, each test's app. The routes
    themselves are registered at once, as before; only `spec` waits.
    """

    def __init__(self, *args, **kwargs):
        self._pending_docs: list[tuple] = []
        self._docs_lock = Lock()
        self._spec = None
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        if self._pending_docs:
            with self._docs_lock:
                pending, self._pending_docs = self._pending_docs, []
                for blp, name, parameters in pending:
                    blp.register_views_in_doc(
                        self, self._app, self._spec, name=name, parameters=parameters
                    )
                    self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value
        self._pending_docs = []  # a new app's document starts empty

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._pending_docs.append((blp, name, parameters))


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
api = LazyDocApi()
login_manager = LoginManager()
csrf = CSRFProtect()
# Counts requests per client address (procure/accounts/limits.py declares the limits). A storage
# that fails lets requests through, logged: the per-email throttle and the lockout still hold.
limiter = Limiter(key_func=lambda: request.remote_addr or "unknown", swallow_errors=True)
