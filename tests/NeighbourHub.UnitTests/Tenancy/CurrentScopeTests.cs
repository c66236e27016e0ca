using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.UnitTests.Tenancy;

/// <summary>A scope resolved on demand (<see cref="ScopeOnDemand"/>): unreadable until resolved, resolved once.</summary>
public sealed class CurrentScopeTests
{
    private static AccessScope Resident(long id) => new(ScopeKind.Resident, false, [7], [3], ResidentId: id, ActorName: $"resident:{id}");

    [Fact]
    public async Task A_deferred_scope_cannot_be_read_before_it_is_resolved_and_is_resolved_once()
    {
        var resolutions = 0;
        var scope = new CurrentScope();
        scope.ResolveOnDemand(42, _ =>
        {
            resolutions++;
            return Task.FromResult(Resident(42));
        });

        Assert.Equal(42, scope.CallerResidentId);
        Assert.False(scope.IsResolved);
        // A filtered query would read it: that must fail loudly, never run under an empty (or someone else's) scope.
        Assert.Throws<InvalidOperationException>(() => scope.Value);

        Assert.Equal(42, (await scope.ResolveAsync(default)).ResidentId);
        Assert.Equal(42, (await scope.ResolveAsync(default)).ResidentId);
        Assert.Equal(1, resolutions);
        Assert.True(scope.IsResolved);
        Assert.Equal([7L], scope.Value.EstateIds);
    }

    [Fact]
    public async Task A_scope_set_directly_is_read_as_before_and_resolving_it_changes_nothing()
    {
        var scope = CurrentScope.For(Resident(5));
        Assert.Equal(5, scope.CallerResidentId);
        Assert.Same(scope.Value, await scope.ResolveAsync(default));
        Assert.Null(CurrentScope.For(AccessScope.System).CallerResidentId);
    }
}
