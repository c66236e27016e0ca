using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Events;

public enum EventStatus { Draft, Published, Cancelled, Completed }

public enum SignupStatus { Confirmed, Waitlisted, Cancelled }

/// <summary>
/// A neighbourhood event (活动) for a community, an estate or a building. Seats are counted in
/// <see cref="Confirmed"/>; every change to seats or the waiting list first takes this row's lock
/// (<see cref="LockVersion"/>), so sign-ups, cancellations and promotions of one event are serialised
/// in the database, whatever instance they arrive at.
/// </summary>
public sealed class CommunityEvent
{
    public long Id { get; set; }
    public long CommunityId { get; set; }
    public long? EstateId { get; set; }
    public long? BuildingId { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public string? CoverImageUrl { get; set; }
    public string Location { get; set; } = "";
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public DateTimeOffset SignupOpensAt { get; set; }
    public DateTimeOffset SignupClosesAt { get; set; }
    /// <summary>Confirmed residents may cancel until then; defaults to the start.</summary>
    public DateTimeOffset? CancelDeadline { get; set; }
    public int Capacity { get; set; }
    public int Confirmed { get; set; }
    /// <summary>How many wait for a seat now (kept with the seats, under the same lock).</summary>
    public int Waitlisted { get; set; }
    /// <summary>Last waiting-list ticket handed out; positions are ordered by it.</summary>
    public int WaitlistSeq { get; set; }
    public bool VerifiedOnly { get; set; }
    public bool IsVolunteer { get; set; }
    public int PointsAwarded { get; set; }
    public EventStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int LockVersion { get; set; }

    public bool SignupOpen(DateTimeOffset now) => Status == EventStatus.Published && SignupOpensAt <= now && now < SignupClosesAt;

    public DateTimeOffset EffectiveCancelDeadline => CancelDeadline ?? StartsAt;

    /// <summary>Why a sign-up is refused right now, or null.</summary>
    public string? WhySignupClosed(DateTimeOffset now) => Status switch
    {
        EventStatus.Draft => "活动尚未发布。",
        EventStatus.Cancelled => "活动已取消。",
        EventStatus.Completed => "活动已结束。",
        _ when now < SignupOpensAt => $"报名将于 {SignupOpensAt.Show()} 开始。",
        _ when now >= SignupClosesAt => "报名已截止。",
        _ => null,
    };
}

public sealed class EventSignup
{
    public long Id { get; set; }
    public long EventId { get; set; }
    public long ResidentId { get; set; }
    public SignupStatus Status { get; set; }
    /// <summary>Waiting-list ticket (from <see cref="CommunityEvent.WaitlistSeq"/>); earlier tickets are promoted first. Kept after promotion.</summary>
    public int? WaitlistTicket { get; set; }
    public DateTimeOffset SignedUpAt { get; set; }
    public DateTimeOffset? PromotedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset? CheckedInAt { get; set; }
    public long? CheckedInByAdminId { get; set; }
    /// <summary>Set when the event is completed: confirmed but never checked in.</summary>
    public bool NoShow { get; set; }
}

/// <summary>Input for creating or editing an event, validated in one place.</summary>
public sealed record EventInput(
    long? CommunityId, long? EstateId, long? BuildingId, string? Title, string? Description, string? CoverImageUrl, string? Location,
    DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, DateTimeOffset? SignupOpensAt, DateTimeOffset? SignupClosesAt, DateTimeOffset? CancelDeadline,
    int? Capacity, bool? VerifiedOnly, bool? IsVolunteer, int? PointsAwarded, bool? Publish)
{
    public const int MaxCapacity = 100_000;

    /// <param name="placeRequired">False when editing: the place is fixed once created, so it may be left out.</param>
    public Validation Validate(bool placeRequired = true)
    {
        var v = new Validation()
            .Required("title", Title, 100, label: "活动标题")
            .When(Description?.Length > 4000, "description", "活动介绍最多 4000 个字。")
            .When(Location?.Length > 200, "location", "活动地点最多 200 个字。")
            .MaxLength("coverImageUrl", CoverImageUrl, 500)
            // Each message names its field: the console shows them together, the mini-program beside the field.
            .When(StartsAt is null, "startsAt", "请填写活动开始时间。")
            .When(EndsAt is null, "endsAt", "请填写活动结束时间。")
            .When(SignupOpensAt is null, "signupOpensAt", "请填写报名开始时间。")
            .When(SignupClosesAt is null, "signupClosesAt", "请填写报名截止时间。")
            .When(placeRequired && CommunityId is null && EstateId is null, "estateId", "请选择小区（全社区活动请选择社区）。")
            .When(Capacity is null or < 1 or > MaxCapacity, "capacity", $"名额应在 1 到 {MaxCapacity} 之间。")
            .When(PointsAwarded is < 0 or > 1000, "pointsAwarded", "奖励积分应在 0 到 1000 之间。")
            .When(IsVolunteer != true && PointsAwarded > 0, "pointsAwarded", "只有志愿活动才能奖励积分。")
            .When(BuildingId is not null && EstateId is null, "buildingId", "楼栋活动还需要选择所在小区。");
        if (StartsAt is { } s && EndsAt is { } e)
        {
            v.When(e <= s, "endsAt", "结束时间须晚于开始时间。");
        }

        if (SignupOpensAt is { } o && SignupClosesAt is { } c)
        {
            v.When(c <= o, "signupClosesAt", "报名截止时间须晚于报名开始时间。");
            v.When(StartsAt is { } start && o > start, "signupOpensAt", "报名开始时间不能晚于活动开始时间。");
        }

        v.When(CancelDeadline is { } d && EndsAt is { } end && d > end, "cancelDeadline", "取消报名截止时间不能晚于活动结束时间。");
        return v;
    }
}
