"""`ForgeData`: the local forge's store, one object per aggregate (issues, pulls, comments,
labels, releases, checks, branch protections), made from the server's `open_store()` handle
by `forge_data()`."""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.store.database import Database
from conveyor.store.forge_checks import ForgeChecks
from conveyor.store.forge_comments import ForgeComments
from conveyor.store.forge_issues import ForgeIssues
from conveyor.store.forge_labels import ForgeLabels
from conveyor.store.forge_protections import BranchProtections
from conveyor.store.forge_pulls import ForgePulls
from conveyor.store.forge_releases import ForgeReleases
from conveyor.store.handle import StoreHandle


@dataclass(frozen=True, slots=True)
class ForgeData:
    issues: ForgeIssues
    pulls: ForgePulls
    comments: ForgeComments
    labels: ForgeLabels
    releases: ForgeReleases
    checks: ForgeChecks
    protections: BranchProtections


def forge_data(store: StoreHandle) -> ForgeData:
    database = store.database
    assert isinstance(database, Database), "the local forge needs open_store()'s SQL store"
    return ForgeData(
        issues=ForgeIssues(database),
        pulls=ForgePulls(database),
        comments=ForgeComments(database),
        labels=ForgeLabels(database),
        releases=ForgeReleases(database, store.home),
        checks=ForgeChecks(database),
        protections=BranchProtections(database),
    )
