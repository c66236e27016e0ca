using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Residents;

public enum ResidenceRelation { Owner, Tenant, Family }

public enum ResidenceStatus { Pending, Approved, Rejected }

/// <summary>
/// A resident's claim to live in a household (业主 / 租户 / 家属), verified by staff or by an invite code.
/// </summary>
public sealed class Residence : IEstateStaffOwned
{
    public long Id { get; set; }
    [OwningResident]
    public long ResidentId { get; set; }
    public long HouseholdId { get; set; }
    public long EstateId { get; set; }
    public ResidenceRelation Relation { get; set; }
    public required string RealName { get; set; }
    public ResidenceStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public long? DecidedByAdminId { get; private set; }
    public string? RejectReason { get; private set; }
    public long? InviteCodeId { get; private set; }

    /// <summary>
    /// "residentId:householdId" while pending or approved, null once rejected. A unique index on it
    /// means a resident holds at most one live application per household, even under racing requests,
    /// with the same SQL on SQLite and MariaDB (both let any number of NULLs share a unique index).
    /// </summary>
    public string? ActiveKey { get; private set; }

    public static Residence Apply(long residentId, long householdId, long estateId, ResidenceRelation relation, string realName, DateTimeOffset now) =>
        new()
        {
            ResidentId = residentId,
            HouseholdId = householdId,
            EstateId = estateId,
            Relation = relation,
            RealName = realName,
            Status = ResidenceStatus.Pending,
            CreatedAt = now,
            ActiveKey = $"{residentId}:{householdId}",
        };

    public void Approve(long? adminId, DateTimeOffset now)
    {
        if (Status != ResidenceStatus.Pending)
        {
            throw new ConflictException($"该申请{(Status == ResidenceStatus.Approved ? "已通过" : "已驳回")}，不能再次审核。");
        }

        Status = ResidenceStatus.Approved;
        DecidedAt = now;
        DecidedByAdminId = adminId;
    }

    public void ApproveWithInvite(long inviteCodeId, DateTimeOffset now)
    {
        Approve(null, now);
        InviteCodeId = inviteCodeId;
    }

    public void Reject(long adminId, string reason, DateTimeOffset now)
    {
        if (Status != ResidenceStatus.Pending)
        {
            throw new ConflictException($"该申请{(Status == ResidenceStatus.Approved ? "已通过" : "已驳回")}，不能再次审核。");
        }

        Status = ResidenceStatus.Rejected;
        DecidedAt = now;
        DecidedByAdminId = adminId;
        RejectReason = reason;
        ActiveKey = null;
    }
}

/// <summary>
/// A single-use code staff hand to a household (on paper or by phone) so that whoever enters it is
/// approved at once for that household.
/// </summary>
public sealed class InviteCode : IEstateOwned
{
    public long Id { get; set; }
    public long HouseholdId { get; set; }
    public long EstateId { get; set; }
    public required string Code { get; set; }
    /// <summary>When set, the code only works for this relation (e.g. an owner's code).</summary>
    public ResidenceRelation? Relation { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public long CreatedByAdminId { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public long? UsedByResidentId { get; set; }

    /// <summary>No 0/O, 1/I/L: codes are read aloud and typed on phones.</summary>
    public const string Alphabet = Texts.ReadableAlphabet;
    public const int Length = 8;

    public static string NewCode() => Texts.ReadableCode(Length);
}
