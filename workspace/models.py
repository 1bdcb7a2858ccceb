"""A person's saved queue views: the filters, the columns and the sort of the queue under a name."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """One person's named queue: the queue's query string (tab and filters), the columns it shows and its
    sort. Personal: only its owner sees, applies, renames or deletes it (``workspace.services``)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=60)
    query = models.TextField(_("filters"), blank=True, help_text=_("The queue's tab and filters as a query string."))
    columns = models.JSONField(_("columns"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ("name", "id")
        constraints = [models.UniqueConstraint(fields=("owner", "name"), name="savedview_unique_owner_name")]

    def __str__(self) -> str:
        return self.name
