using NeighbourHub.Web.Data;
using Xunit;

namespace NeighbourHub.UnitTests.Data;

/// <summary>
/// The key under which the SQL of a query with inlined lists and scope flags is kept (ADR 0014): two parameter sets
/// that inline different constants must never share a key; two that differ only in scalar values (which stay
/// parameters) must.
/// </summary>
public sealed class ScopeListCommandKeyTests
{
    private static string? Key(params (string Name, object? Value)[] values) =>
        ScopeListCommands.KeyOf(values.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void Lists_are_keyed_by_their_elements_and_scalars_by_whether_they_are_null()
    {
        Assert.Equal(Key(("ids", new long[] { 1, 2 }), ("resident", 5L)), Key(("ids", new long[] { 1, 2 }), ("resident", 9L)));
        Assert.NotEqual(Key(("ids", new long[] { 1, 2 }), ("resident", 5L)), Key(("ids", new long[] { 1, 2 }), ("resident", null)));
        Assert.NotEqual(Key(("ids", new long[] { 1, 2 })), Key(("ids", new long[] { 12 })));
        Assert.NotEqual(Key(("ids", new long[] { 1 })), Key(("ids", new long[] { 1, 1 })));
        Assert.NotEqual(Key(("ids", Array.Empty<long>())), Key(("ids", new long?[] { null })));
        Assert.NotEqual(Key(("a", new[] { "x,1:y" })), Key(("a", new[] { "x", "y" })));
        Assert.NotEqual(Key(("a", new long[] { 1 }), ("b", new long[] { 2 })), Key(("a", new long[] { 2 }), ("b", new long[] { 1 })));
    }

    [Fact]
    public void Times_in_a_list_keep_their_fractions_of_a_second()
    {
        var at = new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc);
        Assert.NotEqual(Key(("days", new[] { at })), Key(("days", new[] { at.AddMilliseconds(1) })));
        Assert.NotEqual(Key(("days", new[] { new DateTimeOffset(at) })), Key(("days", new[] { new DateTimeOffset(at).AddTicks(1) })));
    }

    [Fact]
    public void Scope_flags_are_keyed_by_their_values_since_they_are_written_into_the_sql()
    {
        Assert.NotNull(Key(("__ef_filter__ScopeIsAdmin_0", true)));
        Assert.NotEqual(Key(("__ef_filter__ScopeIsAdmin_0", true)), Key(("__ef_filter__ScopeIsAdmin_0", false)));
        Assert.NotEqual(Key(("ids", new long[] { 1 }), ("__ef_filter__ScopeUnrestricted_1", false)),
            Key(("ids", new long[] { 1 }), ("__ef_filter__ScopeUnrestricted_1", true)));
        // A boolean of the query itself stays a parameter: keyed by nullness like any scalar, and alone not keyed at all.
        Assert.Null(Key(("pinned", true)));
        Assert.Equal(Key(("ids", new long[] { 1 }), ("pinned", true)), Key(("ids", new long[] { 1 }), ("pinned", false)));
    }

    [Fact]
    public void Nothing_is_keyed_without_a_list_or_with_elements_that_are_not_plain_values()
    {
        Assert.Null(Key(("resident", 5L), ("name", "王")));
        Assert.Null(Key(("ids", new object[] { new Uri("http://example.com") })));
    }
}
