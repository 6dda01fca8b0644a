"""The database models (SQLAlchemy 2, declarative with type annotations)."""

from __future__ import annotations

from datetime import datetime

from pgvector.sqlalchemy import Vector
from sqlalchemy import DateTime, Index, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.embedding import EMBEDDING_DIM


class Base(DeclarativeBase):
    """The declarative base of every model."""


class Grant(Base):
    """A carbon-reduction grant an organisation can apply for."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    amount_eur: Mapped[int | None]
    embedding: Mapped[list[float]] = mapped_column(Vector(EMBEDDING_DIM))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index(
            "ix_grants_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    def text_for_embedding(self) -> str:
        """The text the embedding is computed from."""
        return f"{self.title}\n{self.description}"
