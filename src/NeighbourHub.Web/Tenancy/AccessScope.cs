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
    public AccessScope Value { get; set; } = AccessScope.Nothing;

    public bool IsResolved => Value.Kind != ScopeKind.Nothing;

    public static CurrentScope For(AccessScope scope) => new() { Value = scope };
}
