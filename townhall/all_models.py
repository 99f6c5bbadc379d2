"""Imports every module's models, so the metadata Alembic and the tests see is complete.

A new module adds its `models` import here.
"""

from townhall.assistant import handoff_models as assistant_handoff_models
from townhall.assistant import knowledge_models as assistant_knowledge_models
from townhall.assistant import labels as assistant_labels
from townhall.assistant import models as assistant_models
from townhall.assistant import versions as assistant_versions
from townhall.bins import models as bins_models
from townhall.counciltax import models as counciltax_models
from townhall.datahub import models as datahub_models
from townhall.db import Base
from townhall.identity import models as identity_models
from townhall.places import models as places_models
from townhall.platform import outbox as outbox_models
from townhall.platform.audit import models as audit_models
from townhall.service_requests import models as service_requests_models
from townhall.synthetic import models as synthetic_models

__all__ = [
    "Base",
    "assistant_handoff_models",
    "assistant_knowledge_models",
    "assistant_labels",
    "assistant_models",
    "assistant_versions",
    "audit_models",
    "bins_models",
    "counciltax_models",
    "datahub_models",
    "identity_models",
    "outbox_models",
    "places_models",
    "service_requests_models",
    "synthetic_models",
]
