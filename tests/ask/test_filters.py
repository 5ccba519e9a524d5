"""Every filter is defined once, in bot.ask.filters, and everything else walks that list."""

from __future__ import annotations

from bot.ask import filters
from bot.models import Grade, Keyword, QuerySpec
from bot.store.named_queries import default_queries_dir, load_queries

# QuerySpec fields that are not filters: how to answer, not what to select.
NOT_FILTERS = {
    "intent",
    "language",
    "fiscal_year",
    "compare_fiscal_year",
    "trend_direction",
    "min_steps",
    "suggestions",
    "unmatched",
    "problem",
    "ranking",
    "ranked",
}


def test_every_selecting_field_belongs_to_exactly_one_filter() -> None:
    owned = [field for f in filters.FILTERS for field in f.fields]
    assert len(owned) == len(set(owned))
    assert set(owned) == set(QuerySpec.model_fields) - NOT_FILTERS


def test_every_parameter_is_one_the_queries_bind() -> None:
    queries = load_queries(default_queries_dir())
    bound = set(queries["evaluations_filtered"].params) | set(queries["count_matching"].params)
    params = filters.sql_params(QuerySpec(), None, 2019)
    assert set(params) <= bound | {"row_limit"}


def test_describe_show_and_broaden_walk_the_same_list() -> None:
    spec = QuerySpec(
        grades=(Grade.D,),
        departments=("高齢者支援課",),
        categories=("継続",),
        keywords=(Keyword(word="午後", matches=("午後",)),),
    )
    assert filters.describe(spec, "ja", 2019).startswith("評価D・高齢者支援課・区分:継続・「午後」")
    assert set(filters.shown(spec, 2019)) == {
        "grades",
        "departments",
        "categories",
        "keywords",
        "fiscal_year",
    }
    # The topic word goes first, the department last.
    broader = filters.broadenings(spec)
    assert broader[0].keywords == () and broader[0].grades == (Grade.D,)
    assert broader[-1].departments == () and broader[-1].keywords
    assert filters.structured_filters_set(spec)
    assert not filters.structured_filters_set(QuerySpec(keywords=spec.keywords))
