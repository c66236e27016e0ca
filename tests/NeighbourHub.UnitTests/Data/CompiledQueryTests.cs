using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;
using Xunit;

namespace NeighbourHub.UnitTests.Data;

/// <summary>Compiled queries: one per EF model, and Unscoped written out so EF can translate it (ADR 0014, fifth round).</summary>
public sealed class CompiledQueryTests
{
    [Fact]
    public void Each_model_gets_its_own_compiled_query_and_contexts_of_one_model_share_it()
    {
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var mysql = new MySqlDesignTimeFactory().CreateDbContext([]);
        using var sqliteAgain = new SqliteDesignTimeFactory().CreateDbContext([]);
        var compiled = 0;
        var perModel = new CompiledPerModel<Func<int>>(() =>
        {
            var n = ++compiled;
            return () => n;
        });

        Assert.Equal(1, perModel.For(sqlite)());
        Assert.Equal(2, perModel.For(mysql)());
        Assert.Equal(1, perModel.For(sqliteAgain)());
        Assert.Equal(2, compiled);
    }

    [Fact]
    public void Expand_replaces_Unscoped_with_what_it_does_and_keeps_the_reason_in_the_sql_tag()
    {
        var query = UnscopedQueries.Expand((NeighbourHubDbContext db, long id) =>
            db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(e => e.Id == id).Select(e => e.Name));
        var text = query.ToString();
        Assert.DoesNotContain(nameof(UnscopedQueries.Unscoped), text);
        Assert.Contains("IgnoreQueryFilters()", text);
        Assert.Contains("TagWith(\"unscoped: DetailsOfARowInScope\")", text);
    }

    [Fact]
    public void Expand_refuses_a_reason_that_is_not_a_constant()
    {
        var reason = Because.DetailsOfARowInScope;
        Assert.Throws<InvalidOperationException>(() => UnscopedQueries.Expand((NeighbourHubDbContext db, long id) =>
            db.Estates.Unscoped(reason).Where(e => e.Id == id)));
    }
}
