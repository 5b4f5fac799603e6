"""The sitemap: an index at /sitemap.xml, one section per kind of public page.

Only what a visitor can see is listed: published initiatives, public organisations
(those taking part in a published initiative) and countries that at least one published
initiative serves. Regions, topics and audiences are reference pages, listed whole.
Filtered lists are left out: they are combinations of these pages (see robots.txt).
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from initiatives.models import FootprintCountry, Initiative, Organisation
from taxonomy.models import Country, Region, Term, Vocabulary


class StaticSitemap(Sitemap):
    def items(self) -> list[str]:
        return [
            "home",
            "initiatives:list",
            "initiatives:regions",
            "initiatives:countries",
            "initiatives:organisations",
            "initiatives:sources",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class InitiativeSitemap(Sitemap):
    def items(self) -> QuerySet:
        return Initiative.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item: Initiative) -> datetime.datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime.datetime | None:
        # One aggregate, rather than Django's default of reading every item.
        return Initiative.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class RegionSitemap(Sitemap):
    def items(self) -> QuerySet:
        return Region.objects.order_by("slug").only("slug")


class CountrySitemap(Sitemap):
    """Countries some published initiative serves: the page of any other would only say "none"."""

    def items(self) -> QuerySet:
        served = FootprintCountry.objects.filter(initiative__in=Initiative.objects.published().values("pk"))
        return Country.objects.filter(iso2__in=served.values("country_id")).order_by("iso2").only("iso2")


class TermSitemap(Sitemap):
    vocabulary = ""

    def items(self) -> QuerySet:
        # get_absolute_url() reads the vocabulary to pick /topics/ or /audiences/.
        return Term.objects.of(self.vocabulary).select_related("vocabulary").order_by("slug")


class TopicSitemap(TermSitemap):
    vocabulary = Vocabulary.TOPIC


class AudienceSitemap(TermSitemap):
    vocabulary = Vocabulary.AUDIENCE


class OrganisationSitemap(Sitemap):
    def items(self) -> QuerySet:
        return Organisation.objects.public().order_by("slug").only("slug")


SITEMAPS = {
    "static": StaticSitemap,
    "initiatives": InitiativeSitemap,
    "regions": RegionSitemap,
    "countries": CountrySitemap,
    "topics": TopicSitemap,
    "audiences": AudienceSitemap,
    "organisations": OrganisationSitemap,
}
