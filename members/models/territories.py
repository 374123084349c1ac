from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def with_platform_count(self):
        """Each region with `platform_count`, the platforms of its departments."""
        return self.annotate(platform_count=Count("departments__platforms", distinct=True))


class Region(models.Model):
    """A region with its INSEE code: the 18 regions of 2016, and former ones for history."""

    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    is_current = models.BooleanField(_("région actuelle (2016)"), default=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="former_regions",
        verbose_name=_("région depuis 2016"),
    )
    tile_col = models.PositiveSmallIntegerField(_("colonne sur la carte"), null=True, blank=True)
    tile_row = models.PositiveSmallIntegerField(_("ligne sur la carte"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("region_detail", args=[self.slug])


class Department(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("région"),
        limit_choices_to={"is_current": True},
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code", "pk"]

    def __str__(self):
        return f"{self.name} ({self.code})"
