"""The gazetteer's tables: wards, streets, properties keyed by UPRN, and the address search index."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from townhall.db import Base


class Ward(Base):
    __tablename__ = "wards"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Street(Base):
    """A street by its Unique Street Reference Number, as in a council's Local Street Gazetteer."""

    __tablename__ = "streets"

    usrn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    locality: Mapped[str | None] = mapped_column(String(100))
    town: Mapped[str] = mapped_column(String(100))


class Property(Base):
    """One addressable property, keyed by its Unique Property Reference Number."""

    __tablename__ = "properties"
    # latitude: service requests find the council's area and the nearest address to a reported point.
    __table_args__ = (
        Index("ix_properties_usrn", "usrn"),
        # Nearest-property searches in a latitude/longitude box (service_requests.location), answered from the
        # index alone on PostgreSQL.
        Index("ix_properties_location", "latitude", "longitude",
              postgresql_include=["street_name", "town", "ward_code"]),
        # PostgreSQL's nearest-neighbour search for the same (migration 0012; see service_requests.location).
        Index("ix_properties_nearest", text("point(longitude * 0.62, latitude)"),
              postgresql_using="gist").ddl_if(dialect="postgresql"),
    )  # fmt: skip

    uprn: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    usrn: Mapped[int] = mapped_column(ForeignKey("streets.usrn"))
    sub_building_name: Mapped[str | None] = mapped_column(String(100))
    building_name: Mapped[str | None] = mapped_column(String(100))
    building_number: Mapped[str | None] = mapped_column(String(20))
    street_name: Mapped[str] = mapped_column(String(100))
    locality: Mapped[str | None] = mapped_column(String(100))
    town: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(8), index=True)
    ward_code: Mapped[str] = mapped_column(ForeignKey("wards.code"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    property_type: Mapped[str] = mapped_column(String(30))
    council_tax_band: Mapped[str | None] = mapped_column(String(1))
    # The one-line address people read ("Flat 2, 14 Mill Lane, Wexmoor"), kept so lists need no joins.
    address: Mapped[str] = mapped_column(String(300))

    ward: Mapped[Ward] = relationship(lazy="joined", innerjoin=True)


class AddressTerm(Base):
    """Search index: each word and number of each address, for prefix search that works on both databases."""

    __tablename__ = "address_terms"
    __table_args__ = (Index("ix_address_terms_uprn", "uprn"),)

    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    uprn: Mapped[int] = mapped_column(
        ForeignKey("properties.uprn", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
