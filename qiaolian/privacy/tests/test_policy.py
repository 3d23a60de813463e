"""The export/erasure policy covers every place a person's data can live, and names only real ones."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from qiaolian.privacy.anonymize import clearing
from qiaolian.privacy.policy import POLICY, POLICY_BY_KEY, Act, person_relations
from qiaolian.privacy.services import HANDLERS


def test_every_relation_to_a_person_is_covered():
    """Every model with a relation to registry.Person (directly, or through a holding whose rows
    are the person's own data) must be declared in privacy/policy.py: a new model cannot be
    forgotten by export and erasure."""
    missing = sorted(person_relations() - set(POLICY_BY_KEY))
    assert not missing, (
        "models holding person data without an export/erasure policy (add them to privacy/policy.py): "
        + ", ".join(f"{model} via {path}" for model, path in missing)
    )


def test_policy_names_only_relations_that_exist():
    declared = {h.key for h in POLICY if h.path and not h.forward}
    stale = sorted(declared - person_relations())
    assert not stale, f"policy entries without such a relation: {stale}"


def test_policy_is_declared_once_per_place():
    assert len(POLICY) == len(POLICY_BY_KEY)


def test_forward_paths_and_fields_exist_and_can_be_cleared():
    for holding in POLICY:
        model = apps.get_model(holding.model)
        if holding.path:
            model._base_manager.filter(**{f"{holding.path}__isnull": False})  # a bad path raises FieldError
        clearing(model, holding.clear)  # a field that cannot be cleared raises
        for name, _value in holding.replace:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist as error:
                raise AssertionError(f"{holding.model}.{name} does not exist") from error
        assert holding.act in Act.values
        assert not holding.handler or holding.handler in HANDLERS, holding.handler


def test_the_person_model_itself_is_anonymized_not_deleted():
    """Work records (registrations, cases, nominations, merges) protect the person row; it stays
    as an archived statistical record without identifying data."""
    assert POLICY_BY_KEY[("registry.Person", "")].act == Act.ANONYMIZE
