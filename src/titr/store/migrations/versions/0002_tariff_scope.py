"""tariffs: scope_from / scope_to of a published corridor rate (the countries it runs between);
emission_factors: service_kind (a factor for one kind of vessel service, e.g. feeders)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 21:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ds_tariffs", sa.Column("scope_from", sa.Text(), nullable=True))
    op.add_column("ds_tariffs", sa.Column("scope_to", sa.Text(), nullable=True))
    op.add_column("ds_emission_factors", sa.Column("service_kind", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("ds_emission_factors", "service_kind")
    op.drop_column("ds_tariffs", "scope_to")
    op.drop_column("ds_tariffs", "scope_from")
