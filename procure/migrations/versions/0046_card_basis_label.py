"""card basis label: a stored ranking keeps the basis it was scored under (issue #20)

- `stored_ranking.basis_kind` (named, coalition or default), `basis_name`, `basis_version`
  (nullable) and `basis_label`: the profile a stored ranking and its scorecards were scored
  under, as `ScoringBasis.described` said it then, so a ranking served stale names the version
  it read (a coalition's version 1), not the one its refresh applies (version 2).

Existing rankings are filled in from what they are of (a cache: what cannot be told is deleted
and recomputed on the next read):
- under the default profile (no profile, no coalition): "Default profile";
- under a profile version of the organization's own: its name and number ("Name v3"), which
  never change (a revision is a new version); deleted when that version is gone;
- under a coalition profile: the coalition's name and profile version now when the ranking is
  current for its organization (its `organization_version` is the organization's data version:
  every change of the coalition profile, and adopting it, counts one since); otherwise it may
  have read an earlier version, and is deleted.

The downgrade drops the four columns (nothing else depends on them).

Revision ID: 0046_card_basis_label
Revises: 0045_projection_rows
Create Date: 2026-12-07 18:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0046_card_basis_label"
down_revision = "0045_projection_rows"
branch_labels = None
depends_on = None

DEFAULT_LABEL = "Default profile"  # procure.scoring.shared_profiles.DEFAULT_LABEL then

stored_ranking = sa.table(
    "stored_ranking",
    sa.column("id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("profile_id", sa.Integer),
    sa.column("coalition_id", sa.Integer),
    sa.column("organization_version", sa.Integer),
    sa.column("basis_kind", sa.String),
    sa.column("basis_name", sa.String),
    sa.column("basis_version", sa.Integer),
    sa.column("basis_label", sa.String),
)
scoring_profile = sa.table(
    "scoring_profile",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("number", sa.Integer),
)
coalition = sa.table("coalition", sa.column("id", sa.Integer), sa.column("name", sa.String))
coalition_profile = sa.table(
    "coalition_profile", sa.column("coalition_id", sa.Integer), sa.column("version", sa.Integer)
)
data_version = sa.table(
    "ranking_data_version", sa.column("scope", sa.Integer), sa.column("version", sa.Integer)
)


def _coalition_label(name, version):
    if version is None:
        return f"Coalition profile: {name}, the default weights (not set yet)"
    return f"Coalition profile: {name}, version {version}"


def _basis(connection, organization_id, profile_id, coalition_id, seen):
    """The ranking's basis as (kind, name, version, label), or None when it cannot be told."""
    if profile_id is not None:
        named = connection.execute(
            sa.select(scoring_profile.c.name, scoring_profile.c.number).where(
                scoring_profile.c.id == profile_id
            )
        ).first()
        if named is None:
            return None
        return "named", named.name, named.number, f"{named.name} v{named.number}"
    if coalition_id is None:
        return "default", DEFAULT_LABEL, None, DEFAULT_LABEL
    current = connection.execute(
        sa.select(data_version.c.version).where(data_version.c.scope == organization_id)
    ).scalar()
    if seen != (current or 0):
        return None
    name = connection.execute(
        sa.select(coalition.c.name).where(coalition.c.id == coalition_id)
    ).scalar()
    if name is None:
        return None
    version = connection.execute(
        sa.select(coalition_profile.c.version).where(
            coalition_profile.c.coalition_id == coalition_id
        )
    ).scalar()
    return "coalition", name, version, _coalition_label(name, version)


def upgrade():
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis_kind", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("basis_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("basis_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("basis_label", sa.String(length=300), nullable=True))
    connection = op.get_bind()
    untold = []
    for ranking_id, organization_id, profile_id, coalition_id, seen in connection.execute(
        sa.select(
            stored_ranking.c.id,
            stored_ranking.c.organization_id,
            stored_ranking.c.profile_id,
            stored_ranking.c.coalition_id,
            stored_ranking.c.organization_version,
        )
    ).all():
        basis = _basis(connection, organization_id, profile_id, coalition_id, seen)
        if basis is None:
            untold.append(ranking_id)
            continue
        kind, name, version, label = basis
        connection.execute(
            sa.update(stored_ranking)
            .where(stored_ranking.c.id == ranking_id)
            .values(basis_kind=kind, basis_name=name, basis_version=version, basis_label=label)
        )
    if untold:
        for table in ("stored_ranking_row", "stored_ranking_card"):
            cache = sa.table(table, sa.column("ranking_id", sa.Integer))
            connection.execute(sa.delete(cache).where(cache.c.ranking_id.in_(untold)))
        connection.execute(sa.delete(stored_ranking).where(stored_ranking.c.id.in_(untold)))
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.alter_column("basis_kind", existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column("basis_name", existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column("basis_label", existing_type=sa.String(length=300), nullable=False)


def downgrade():
    with op.batch_alter_table("stored_ranking", schema=None) as batch_op:
        batch_op.drop_column("basis_label")
        batch_op.drop_column("basis_version")
        batch_op.drop_column("basis_name")
        batch_op.drop_column("basis_kind")
