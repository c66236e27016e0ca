namespace NeighbourHub.Web.Tenancy;

public enum ScopeKind
{
    /// <summary>Nobody known: sees nothing. The default, so a forgotten resolution fails closed.</summary>
    Nothing,
    /// <summary>Background jobs, seeding, start-up: unrestricted and unaudited.</summary>
    System,
    Admin,
    Resident,
}

/// <summary>
/// What the caller may see, resolved once per request (or console circuit) and read by the
/// DbContext's query filters. Every tenant-owned row carries EstateId (or CommunityId), so visibility
/// is one set membership test.
/// </summary>
/// <param name="EstateIds">Estates whose rows the caller sees: a resident's approved homes; staff's estates by role.</param>
/// <param name="CommunityIds">Communities those estates lie in (plus those a community admin runs).</param>
/// <param name="OfficeCommunityIds">
/// Communities whose office (居委会) the caller staffs as community admin. What belongs to the community
/// office rather than to an estate — the time bank: its accounts, ledger, rewards, redemptions, volunteers
/// and service orders — is seen and run by these staff only (and by platform admins), never by the firm,
/// grid or committee staff who merely see some estates of the community.
/// </param>
/// <param name="OfficeEstateIds">The estates of <paramref name="OfficeCommunityIds"/>.</param>
/// <param name="GridOnlyEstateIds">
/// Estates the caller sees only as a grid worker (no community, firm or committee role there). In them the caller reads
/// the estate's own things (fund, votes, notices, events, topics) but per-flat data — flats, residences, invite codes,
/// repairs reported from a flat — only in <paramref name="GridBuildingIds"/> (ADR 0009).
/// </param>
/// <param name="GridBuildingIds">The buildings the caller's grids cover.</param>
/// <param name="HomeBuildingIds">
/// The buildings of a resident's approved homes: building notices reach them. Resolved with the estates, from the same
/// residences, so it changes exactly when they do (a flat never moves building).
/// </param>
public sealed record AccessScope(
    ScopeKind Kind,
    bool Unrestricted,
    IReadOnlyList<long> EstateIds,
    IReadOnlyList<long> CommunityIds,
    long? ResidentId = null,
    long? AdminUserId = null,
    string ActorName = "",
    IReadOnlyList<Features.Identity.AdminRole>? Roles = null,
    IReadOnlyList<long>? OfficeCommunityIds = null,
    IReadOnlyList<long>? OfficeEstateIds = null,
    IReadOnlyList<long>? GridOnlyEstateIds = null,
    IReadOnlyList<long>? GridBuildingIds = null,
    IReadOnlyList<long>? HomeBuildingIds = null)
{
    public static readonly AccessScope Nothing = new(ScopeKind.Nothing, false, [], []);
    public static readonly AccessScope System = new(ScopeKind.System, true, [], [], ActorName: "system");

    public IReadOnlyList<Features.Identity.AdminRole> AdminRoles => Roles ?? [];

    public bool Has(params Features.Identity.AdminRole[] roles) => AdminRoles.Any(roles.Contains);

    public bool CanSeeEstate(long estateId) => Unrestricted || EstateIds.Contains(estateId);

    /// <summary>Whether per-flat data of some estate is narrowed to the caller's grid buildings (see <see cref="GridOnlyEstateIds"/>).</summary>
    public bool NarrowedToGrid => GridOnlyEstateIds is { Count: > 0 };

    /// <summary>Whether the caller runs this community's office (see <see cref="OfficeCommunityIds"/>).</summary>
    public bool RunsOfficeOf(long communityId) => Unrestricted || (OfficeCommunityIds?.Contains(communityId) ?? false);
}

/// <summary>The scope of the current request or circuit; a mutable holder the DbContext reads at query time.</summary>
public sealed class CurrentScope
{
    private AccessScope _value = AccessScope.Nothing;
    private Func<CancellationToken, Task<AccessScope>>? _onDemand;
    private long? _residentOnDemand;

    /// <summary>
    /// The caller's scope. On an endpoint that resolves it on demand (<see cref="ScopeOnDemand"/>), reading it before
    /// <see cref="ResolveAsync"/> throws: no query may run under a scope nobody resolved (it would narrow, or worse).
    /// </summary>
    public AccessScope Value
    {
        get => _onDemand is null ? _value : throw new InvalidOperationException("This request resolves its access scope on demand: await CurrentScope.ResolveAsync before reading it.");
        set
        {
            _value = value;
            _onDemand = null;
        }
    }

    public bool IsResolved => _onDemand is null && _value.Kind != ScopeKind.Nothing;

    /// <summary>The signed-in resident (from the validated token), whether or not the scope is resolved yet; null for staff.</summary>
    public long? CallerResidentId => _onDemand is null ? _value.ResidentId : _residentOnDemand;

    /// <summary>Defers resolving to the first <see cref="ResolveAsync"/>; until then only <see cref="CallerResidentId"/> is known.</summary>
    public void ResolveOnDemand(long residentId, Func<CancellationToken, Task<AccessScope>> resolve)
    {
        _residentOnDemand = residentId;
        _onDemand = resolve;
    }

    /// <summary>The scope, resolved now if it was deferred (once per request).</summary>
    public async ValueTask<AccessScope> ResolveAsync(CancellationToken ct)
    {
        if (_onDemand is { } resolve)
        {
            Value = await resolve(ct);
        }

        return _value;
    }

    public static CurrentScope For(AccessScope scope) => new() { Value = scope };
}

/// <summary>
/// Endpoint metadata: a resident's request here is answered, on its common path, from the caller's id alone (a sign-up
/// to an open event through the Redis gate), so the middleware does not resolve the scope (a Redis round trip, and a
/// query for a resident not cached) but defers it to <see cref="CurrentScope.ResolveAsync"/>, which the handler awaits
/// before its first filtered query. Staff requests are resolved as everywhere.
/// </summary>
public sealed class ScopeOnDemand
{
    public static readonly ScopeOnDemand Instance = new();

    private ScopeOnDemand()
    {
    }
}
