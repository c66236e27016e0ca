using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Components;

/// <summary>
/// Database access for console components. A Blazor circuit outlives any request, so components
/// create a short-lived context per operation; each one carries the signed-in admin's scope, resolved
/// once per circuit from the authentication state.
/// </summary>
public sealed class ConsoleDb(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    AuthenticationStateProvider authentication,
    AccessScopeResolver resolver)
{
    private readonly CurrentScope _scope = new();

    public async Task<NeighbourHubDbContext> CreateAsync(CancellationToken ct = default)
    {
        if (!_scope.IsResolved)
        {
            var state = await authentication.GetAuthenticationStateAsync();
            _scope.Value = await resolver.ResolveAsync(state.User, ct);
        }

        var db = contexts.CreateDbContext();
        db.Scope = _scope;
        return db;
    }

    public async Task<AccessScope> ScopeAsync()
    {
        await using var db = await CreateAsync();
        return db.Scope.Value;
    }
}
