import rules

from qiaolian.accounts.rules import is_auditor

rules.add_perm("audit.view_entry", is_auditor)
