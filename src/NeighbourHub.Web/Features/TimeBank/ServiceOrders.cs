using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.TimeBank;

public enum VolunteerStatus { Pending, Approved, Rejected }

/// <summary>A resident's application to volunteer (志愿者), approved by staff before they may take orders.</summary>
public sealed class VolunteerProfile : ICommunityOfficeOwned
{
    [OwningResident]
    public long ResidentId { get; set; }
    public long CommunityId { get; set; }
    /// <summary>Comma-separated skills as the resident typed them (水电, 陪诊, 理发…).</summary>
    public string Skills { get; set; } = "";
    public string Intro { get; set; } = "";
    public VolunteerStatus Status { get; set; }
    public DateTimeOffset AppliedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public long? DecidedByAdminId { get; set; }
}

public enum ServiceOrderStatus { Open, Claimed, Completed, Confirmed, Cancelled, Disputed, Resolved }

/// <summary>
/// The seeds' loop 居民点单 → 小区派单 / 党员接单 → 群众评单: a resident asks for help offering points,
/// held in escrow from their balance (or from the community pool for residents staff marked eligible);
/// a volunteer claims it or staff dispatch it; the volunteer completes; the requester confirms and
/// rates, which moves the escrow to the volunteer exactly once.
/// </summary>
public sealed class ServiceOrder : IOpenToCommunityVolunteers, ICommunityOfficeOwned
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    [OwningResident]
    public long RequesterId { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public DateTimeOffset? WantedAt { get; set; }
    public int Points { get; set; }
    public bool FundedByPool { get; set; }
    public ServiceOrderStatus Status { get; set; }
    [OwningResident]
    public long? VolunteerId { get; set; }
    public bool Dispatched { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public int? Stars { get; set; }
    public string? Comment { get; set; }
    public string? DisputeReason { get; set; }
    public string? Resolution { get; set; }
    public required string RequestKey { get; set; }

    /// <summary>Why <paramref name="next"/> cannot follow the current status, or null when it can.</summary>
    public string? WhyNot(ServiceOrderStatus next) => (Status, next) switch
    {
        (ServiceOrderStatus.Open, ServiceOrderStatus.Claimed) => null,
        (ServiceOrderStatus.Claimed, ServiceOrderStatus.Completed) => null,
        (ServiceOrderStatus.Completed, ServiceOrderStatus.Confirmed) => null,
        (ServiceOrderStatus.Open or ServiceOrderStatus.Claimed, ServiceOrderStatus.Cancelled) => null,
        (ServiceOrderStatus.Completed, ServiceOrderStatus.Disputed) => null,
        (ServiceOrderStatus.Disputed, ServiceOrderStatus.Resolved) => null,
        _ => $"该服务订单当前为「{StatusTexts.Of(Status)}」，不能{StatusTexts.Step(next)}。",
    };

    public void EnsureCan(ServiceOrderStatus next)
    {
        if (WhyNot(next) is { } why)
        {
            throw new ConflictException(why);
        }
    }
}
