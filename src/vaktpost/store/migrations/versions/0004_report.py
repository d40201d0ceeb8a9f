"""reporting outbox, NCMEC exchanges, local audit events, evidence store and legal holds

Revision ID: 0004_report
Revises: 0003_media
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_report"
down_revision = "0003_media"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cybertip_reports",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_ref", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("case_json", sa.JSON(), nullable=False),
        sa.Column("xml_sent", sa.Text()),
        sa.Column("ncmec_report_id", sa.String(64)),
        sa.Column("generation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("opened_at", TS),
        sa.Column("last_change_at", TS),
        sa.Column("finished_at", TS),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", TS),
        sa.Column("retract_requested", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cybertip_reports")),
    )
    op.create_index("ix_cybertip_reports_due", "cybertip_reports", ["state", "next_attempt_at"])
    op.create_index("ix_cybertip_reports_case", "cybertip_reports", ["case_ref"])
    op.create_table(
        "cybertip_files",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("evidence_object", sa.String(128)),
        sa.Column("path", sa.Text()),
        sa.Column("original_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("ncmec_file_id", sa.String(64)),
        sa.Column("uploaded_generation", sa.Integer()),
        sa.Column("described_generation", sa.Integer()),
        sa.ForeignKeyConstraint(
            ["report_id"], ["cybertip_reports.id"],
            name=op.f("fk_cybertip_files_report_id_cybertip_reports"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cybertip_files")),
        sa.UniqueConstraint("report_id", "position", name="uq_cybertip_files_report_position"),
    )
    op.create_table(
        "cybertip_exchanges",
        sa.Column("id", BigId, nullable=False),
        sa.Column("report_id", sa.BigInteger()),
        sa.Column("call", sa.String(20), nullable=False),
        sa.Column("generation", sa.Integer()),
        sa.Column("ncmec_report_id", sa.String(64)),
        sa.Column("request_body", sa.Text()),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS),
        sa.Column("http_status", sa.Integer()),
        sa.Column("response_code", sa.Integer()),
        sa.Column("response_body", sa.Text()),
        sa.Column("request_id", sa.String(200)),
        sa.Column("error", sa.Text()),
        sa.ForeignKeyConstraint(
            ["report_id"], ["cybertip_reports.id"],
            name=op.f("fk_cybertip_exchanges_report_id_cybertip_reports"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cybertip_exchanges")),
    )
    op.create_index("ix_cybertip_exchanges_report", "cybertip_exchanges", ["report_id"])
    op.create_table(
        "report_audit_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("detail", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_audit_events")),
    )
    op.create_index("ix_report_audit_events_subject", "report_audit_events", ["subject", "action"])
    op.create_table(
        "evidence_objects",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", TS, nullable=False),
        sa.Column("preserve_until", TS),
        sa.Column("destroyed_at", TS),
        sa.Column("destroyed_reason", sa.Text()),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_evidence_objects")),
    )
    op.create_table(
        "evidence_links",
        sa.Column("object_name", sa.String(128), nullable=False),
        sa.Column("case_ref", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_name"], ["evidence_objects.name"],
            name=op.f("fk_evidence_links_object_name_evidence_objects"),
        ),
        sa.PrimaryKeyConstraint("object_name", "case_ref", name=op.f("pk_evidence_links")),
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", BigId, nullable=False),
        sa.Column("object_name", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(200), nullable=False),
        sa.Column("placed_at", TS, nullable=False),
        sa.Column("released_at", TS),
        sa.ForeignKeyConstraint(
            ["object_name"], ["evidence_objects.name"],
            name=op.f("fk_legal_holds_object_name_evidence_objects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index("ix_legal_holds_object", "legal_holds", ["object_name"])


def downgrade() -> None:
    op.drop_index("ix_legal_holds_object", table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_table("evidence_links")
    op.drop_table("evidence_objects")
    op.drop_index("ix_report_audit_events_subject", table_name="report_audit_events")
    op.drop_table("report_audit_events")
    op.drop_index("ix_cybertip_exchanges_report", table_name="cybertip_exchanges")
    op.drop_table("cybertip_exchanges")
    op.drop_table("cybertip_files")
    op.drop_index("ix_cybertip_reports_case", table_name="cybertip_reports")
    op.drop_index("ix_cybertip_reports_due", table_name="cybertip_reports")
    op.drop_table("cybertip_reports")
