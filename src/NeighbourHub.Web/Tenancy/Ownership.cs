namespace NeighbourHub.Web.Tenancy;

// What a row belongs to, declared on the entity. TenancyRules turns each declaration into one clause of
// the entity's query filter: a row is visible to an unrestricted scope, or to any audience one of its
// declarations names. An entity declares every owner it has; the clauses are OR-ed.

/// <summary>
/// Belongs to one estate and is seen by everyone the estate is in scope for: its staff and its approved
/// residents (buildings, units, households, invite codes, repair categories, the firm's contract).
/// </summary>
public interface IEstateOwned
{
    long EstateId { get; }
}

/// <summary>
/// Belongs to an estate's back office and is seen by its staff only, never by its residents (fee items,
/// billing runs, Open311 keys). With <see cref="OwningResidentAttribute"/> or
/// <see cref="IOpenToHouseholdResidents"/> a resident may still see their own.
/// </summary>
public interface IEstateStaffOwned
{
    long EstateId { get; }
}

/// <summary>
/// Belongs to a community and is seen by everyone who sees any estate of it (grids).
/// </summary>
public interface ICommunityOwned
{
    long CommunityId { get; }
}

/// <summary>
/// Belongs to the community's office (居委会): on the staff side only the community admins who run it see
/// it — not the firm, grid or committee staff who merely see some of its estates (the time bank; see
/// <see cref="AccessScope.OfficeCommunityIds"/> and ADR 0004).
/// </summary>
public interface ICommunityOfficeOwned
{
    long CommunityId { get; }
}

/// <summary>
/// Seen by the verified residents of its community, whichever estate they live in (rewards they may redeem).
/// </summary>
public interface IOpenToCommunityResidents
{
    long CommunityId { get; }
}

/// <summary>
/// Seen by the community's approved volunteers, in every state (service orders: their text can hold health
/// details, so neighbours who are no volunteers do not browse them; a volunteer who lost a race hears 409 "taken").
/// </summary>
public interface IOpenToCommunityVolunteers
{
    long CommunityId { get; }
}

/// <summary>
/// Seen by the residents whose residence in its household is approved (bills): a pending application
/// does not show a household's debts.
/// </summary>
public interface IOpenToHouseholdResidents
{
    long HouseholdId { get; }
}

/// <summary>
/// Has no scope of its own: visible exactly when its parent is (a repair's timeline, a payment's bills).
/// The row must have one foreign key to <typeparamref name="TParent"/>; that key is the link.
/// </summary>
public interface IChildOf<TParent>
    where TParent : class;

/// <summary>
/// Marks the resident id a row belongs to: that resident always sees the row, whatever else decides the
/// staff side (their application, repair, payment, sign-up, volunteer profile; both the requester and the
/// volunteer of a service order).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OwningResidentAttribute : Attribute;
