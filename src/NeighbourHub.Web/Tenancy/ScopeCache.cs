using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Tenancy;

/// <summary>
/// The resolved <see cref="AccessScope"/> of each principal, kept in this process so an API request costs one Redis
/// round trip (<see cref="ScopeVersions"/>) instead of a DbContext and up to six queries. A cached scope is used only
/// while both of its stamps are current and on the (Beijing) day it was resolved for — a firm's contract ends at a
/// day's turn — so a revoked role, residence or contract stops working on the next request on every instance.
/// A scope is cached under the stamps read <em>before</em> it was resolved: a change committed meanwhile bumps them
/// again, so what was read is never kept past it (<see cref="ScopeChangeInterceptor"/> bumps after the commit).
/// </summary>
public sealed class ScopeCache(AccessScopeResolver resolver, ScopeVersions versions, TimeProvider clock) : IDisposable
{
    /// <summary>How long an entry lives at most; it bounds staleness when a bump was lost (Redis unreachable at the writer).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    private readonly MemoryCache _entries = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    public async Task<AccessScope> ResolveAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var kind = user.FindFirstValue(AuthClaims.Kind);
        if (user.Identity?.IsAuthenticated != true || kind is not (AuthClaims.ResidentKind or AuthClaims.AdminKind)
            || !long.TryParse(user.FindFirstValue(AuthClaims.Subject), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return await resolver.ResolveAsync(user, ct);
        }

        var stamp = await versions.ReadAsync(new ScopeOwner(kind, id));
        if (stamp is null)
        {
            return await resolver.ResolveAsync(user, ct);
        }

        var key = string.Create(CultureInfo.InvariantCulture, $"{kind}:{id}:{clock.Today():yyyyMMdd}:{stamp}");
        if (_entries.TryGetValue(key, out AccessScope? cached) && cached is not null)
        {
            return cached;
        }

        var scope = await resolver.ResolveAsync(user, ct);
        _entries.Set(key, scope, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        return scope;
    }

    public void Dispose() => _entries.Dispose();
}
