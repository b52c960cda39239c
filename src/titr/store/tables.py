"""SQLAlchemy tables. Component tables are built from the attribute table (one column a field)."""

from __future__ import annotations

import sqlalchemy as sa

from titr.network import attributes as attrs

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("version", sa.String(200), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("manifest", sa.JSON, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.UniqueConstraint("name", "version", name="uq_datasets_name_version"),
)

_SA_TYPES = {"float": sa.Float, "int": sa.BigInteger, "bool": sa.Boolean}


def _column(a: attrs.Attribute) -> sa.Column:
    t = _SA_TYPES.get(a.type, sa.Text)
    return sa.Column(a.field, t(), nullable=True)


def component_table_name(comp: str) -> str:
    return f"ds_{comp}"


component_tables: dict[str, sa.Table] = {
    comp: sa.Table(
        component_table_name(comp),
        metadata,
        sa.Column(
            "dataset_id",
            sa.Integer,
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pos", sa.Integer, primary_key=True),
        *[_column(a) for a in attrs.table()[comp]],
    )
    for comp in attrs.COMPONENTS
}

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("dataset_label", sa.String(300), nullable=False, server_default=""),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="running"),
    sa.Column("total", sa.Integer, nullable=True),
    sa.Column("result", sa.JSON, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

run_items = sa.Table(
    "run_items",
    metadata,
    sa.Column(
        "run_id", sa.String(64), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("idx", sa.Integer, primary_key=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("dataset_name", sa.String(100), nullable=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(128), nullable=False, unique=True),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
