namespace NeighbourHub.Web.Features.TimeBank;

/// <summary>Something a community offers for points (a haircut, a bag of rice, a parking day…).</summary>
public sealed class Reward : IOpenToCommunityResidents, ICommunityOfficeOwned
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public required string Name { get; set; }
    public int PointsCost { get; set; }
    public int Stock { get; set; }
    /// <summary>How many one resident may hold (pending or fulfilled) at most; 0 = no limit.</summary>
    public int PerPersonLimit { get; set; }
    public DateTimeOffset? ActiveFrom { get; set; }
    public DateTimeOffset? ActiveTo { get; set; }
    public bool IsActive { get; set; } = true;

    public bool AvailableAt(DateTimeOffset now) => IsActive && (ActiveFrom is null || ActiveFrom <= now) && (ActiveTo is null || now < ActiveTo);
}

public enum RedemptionStatus { Pending, Fulfilled, Cancelled }

public sealed class Redemption : ICommunityOfficeOwned
{
    public long Id { get; set; }
    public long RewardId { get; set; }
    [OwningResident]
    public long ResidentId { get; set; }
    public long CommunityId { get; set; }
    public int Quantity { get; set; }
    public int Points { get; set; }
    public RedemptionStatus Status { get; set; }
    /// <summary>"{residentId}:{Idempotency-Key}": a replayed request finds the first redemption.</summary>
    public required string RequestKey { get; set; }
    public long TransactionId { get; set; }
    public long? RefundTransactionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public long? DecidedByAdminId { get; set; }
}
