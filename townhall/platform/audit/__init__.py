"""The audit log every module writes to: who, what, which person's data, why, when and from where.

Append-only and hash-chained. One call records an access, inside the transaction of the access itself:

    record_access(session, actor=user_actor, action="view_household", subject_type="household",
                  subject_id=42, purpose="early help review", client=request_client)
"""

from townhall.platform.audit.chain import (
    PURPOSE_LENGTH,
    SYSTEM,
    Access,
    Actor,
    canonical_form,
    command_origin,
    entry_hash,
    fitted_purpose,
    from_the_command_line,
    record_access,
    record_accesses,
)
from townhall.platform.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from townhall.platform.audit.verify import ChainProblem, VerifyReport, verify_chain

__all__ = [
    "GENESIS_HASH",
    "PURPOSE_LENGTH",
    "SYSTEM",
    "Access",
    "Actor",
    "AuditChainHead",
    "AuditEntry",
    "ChainProblem",
    "VerifyReport",
    "canonical_form",
    "command_origin",
    "entry_hash",
    "fitted_purpose",
    "from_the_command_line",
    "record_access",
    "record_accesses",
    "verify_chain",
]
