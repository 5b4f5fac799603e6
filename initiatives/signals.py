"""Keep Initiative.search_text in step with the rows it is built from."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from initiatives.models import Initiative, Organisation, Participation
from initiatives.search import refresh_search_text


@receiver(post_save, sender=Initiative)
def initiative_saved(sender, instance: Initiative, raw: bool = False, **kwargs) -> None:
    if not raw:
        refresh_search_text([instance.pk])


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
def participation_changed(sender, instance: Participation, raw: bool = False, **kwargs) -> None:
    if not raw:
        refresh_search_text([instance.initiative_id])


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance: Organisation, created: bool, raw: bool = False, **kwargs) -> None:
    if not raw and not created:
        refresh_search_text(instance.participations.values("initiative_id"))


@receiver(m2m_changed, sender=Initiative.keywords.through)
def keywords_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Initiative):
        refresh_search_text([instance.pk])
