namespace NeighbourHub.Web.Features.TimeBank;

public enum AccountKind
{
    /// <summary>A resident's points.</summary>
    Resident,
    /// <summary>A community's pool: it pays for verified service and receives redeemed points. May go down to its floor.</summary>
    CommunityPool,
    /// <summary>Points held for open service orders of a community, until confirmed or returned.</summary>
    Escrow,
}

/// <summary>What a transaction was for (志愿服务, 兑换, 捐赠, 服务订单…).</summary>
public enum LedgerCategory
{
    VolunteerService,
    EventAttendance,
    Redemption,
    RedemptionRefund,
    Donation,
    ServiceOrder,
    Correction,
}

/// <summary>
/// A points account. <see cref="Balance"/> is a cache of the sum of its postings, kept in the same
/// transaction by a conditional update that refuses to cross <see cref="Floor"/>; the verification
/// checks the cache against the postings.
/// </summary>
public sealed class TimeBankAccount
{
    public long Id { get; set; }
    public AccountKind Kind { get; set; }
    public long? ResidentId { get; set; }
    public long? CommunityId { get; set; }
    public int Balance { get; set; }
    public int EarnedTotal { get; set; }
    public int SpentTotal { get; set; }
    /// <summary>The lowest balance allowed: 0 for residents; configurable (negative) for pools.</summary>
    public int Floor { get; set; }
    /// <summary>
    /// "R:{residentId}" (a resident), "P:{communityId}" (the community's pool) or "E:{communityId}" (its
    /// escrow, holding service-order points until the order settles): unique, so an account is created once even under races.
    /// </summary>
    public required string OwnerKey { get; set; }

    public static string ResidentKey(long residentId) => $"R:{residentId}";

    public static string PoolKey(long communityId) => $"P:{communityId}";

    public static string EscrowKey(long communityId) => $"E:{communityId}";
}

/// <summary>
/// One movement of points: two or more postings that sum to zero. Append-only: a correction is a new
/// transaction. <see cref="SourceRef"/> is unique, which makes every operation idempotent.
/// </summary>
public sealed class LedgerTransaction
{
    public long Id { get; set; }
    public required string SourceRef { get; set; }
    public LedgerCategory Category { get; set; }
    public long? CommunityId { get; set; }
    public string Memo { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The admin who approved it (grants, refunds); null for resident actions and automatic credits.</summary>
    public long? ApprovedByAdminId { get; set; }
}

public sealed class LedgerPosting : IChildOf<TimeBankAccount>
{
    public long Id { get; set; }
    public long TransactionId { get; set; }
    public long AccountId { get; set; }
    /// <summary>Positive credits the account, negative debits it.</summary>
    public int Amount { get; set; }
}

/// <summary>The Chinese words for the time bank's categories, for the console and the export alike.</summary>
public static class TimeBankTexts
{
    public static string Category(LedgerCategory c) => c switch
    {
        LedgerCategory.VolunteerService => "志愿服务",
        LedgerCategory.EventAttendance => "活动签到",
        LedgerCategory.Redemption => "兑换",
        LedgerCategory.RedemptionRefund => "兑换退还",
        LedgerCategory.Donation => "捐赠",
        LedgerCategory.ServiceOrder => "服务订单",
        _ => "更正",
    };
}
