"""Imports every module's models, so the metadata Alembic and the tests see is complete.

A new module adds its `models` import here.
"""

from townhall.datahub import models as datahub_models
from townhall.db import Base
from townhall.places import models as places_models
from townhall.synthetic import models as synthetic_models

__all__ = ["Base", "datahub_models", "places_models", "synthetic_models"]
