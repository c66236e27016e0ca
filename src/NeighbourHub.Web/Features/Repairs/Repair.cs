using System.Linq.Expressions;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>A kind of repair with its default deadline (分类处理、限期办结).</summary>
public sealed class RepairCategory : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public required string Name { get; set; }
    public int DeadlineHours { get; set; }
    /// <summary>Public-area issues (lifts, lighting) also appear in the Open311 feed, without personal data.</summary>
    public bool IsPublicArea { get; set; }

    /// <summary>What every new estate starts with; staff adjust them per estate.</summary>
    public static IEnumerable<RepairCategory> DefaultsFor(long estateId) =>
    [
        new() { EstateId = estateId, Name = "水电", DeadlineHours = 24 },
        new() { EstateId = estateId, Name = "门窗", DeadlineHours = 72 },
        new() { EstateId = estateId, Name = "公共照明", DeadlineHours = 48, IsPublicArea = true },
        new() { EstateId = estateId, Name = "电梯", DeadlineHours = 4, IsPublicArea = true },
        new() { EstateId = estateId, Name = "环境卫生", DeadlineHours = 24, IsPublicArea = true },
        new() { EstateId = estateId, Name = "其他", DeadlineHours = 72 },
    ];
}

public enum RepairStatus { Submitted, Assigned, InProgress, Resolved, Closed, Cancelled }

/// <summary>
/// Where a report came from: a resident in the mini-program, another system through Open311, a 议事 topic staff handed to
/// the trustee, or staff taking it down for a resident — a phone call, the property office's counter, a grid worker's patrol.
/// </summary>
public enum RepairSource { MiniProgram, Open311, Topic, Phone, Counter, GridPatrol }

/// <summary>
/// A report (报事报修) and its explicit state machine:
/// submitted → assigned → in_progress → resolved → closed, cancelled before work starts, and reopen
/// (within 7 days of resolution) back to assigned with the same assignee. Every step is a method that
/// refuses the wrong state with a reason; <see cref="Status"/> is a concurrency token, so two staff
/// racing on one repair cannot both succeed.
/// </summary>
public sealed class Repair : IEstateStaffOwned
{
    public static readonly TimeSpan ReopenWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan UrgeInterval = TimeSpan.FromHours(12);

    public long Id { get; set; }
    public long EstateId { get; set; }
    public long? HouseholdId { get; set; }
    public long CategoryId { get; set; }
    /// <summary>The resident who reported it; null for reports that arrived through Open311.</summary>
    [OwningResident]
    public long? ReporterId { get; set; }
    public RepairSource Source { get; set; }
    /// <summary>Contact details an Open311 client sent (staff only; never in the public feed).</summary>
    public string? ExternalContact { get; set; }
    /// <summary>Who reported it, for reports staff took down (phone, counter, patrol); a resident's own report names them through their residence.</summary>
    public string? ReporterName { get; set; }
    /// <summary>The number to call back for reports staff took down; shown in full only to the assignee and whoever took it down.</summary>
    public string? ContactPhone { get; set; }
    /// <summary>The member of staff who took the report down (phone, counter, patrol).</summary>
    public long? RecordedById { get; set; }
    /// <summary>The reporting resident's Idempotency-Key: a retried report finds this one instead of making another.</summary>
    public string? IdempotencyKey { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public required string Description { get; set; }
    public string Location { get; set; } = "";
    public RepairStatus Status { get; private set; } = RepairStatus.Submitted;
    public long? AssigneeId { get; private set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset DeadlineAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public string? ResolutionNote { get; private set; }
    public int ReopenCount { get; private set; }
    public int? Stars { get; private set; }
    public string? RatingComment { get; private set; }
    public DateTimeOffset? LastUrgedAt { get; private set; }
    /// <summary>0 = not escalated, 1 = to the grid worker, 2 = to the community admin.</summary>
    public int EscalationLevel { get; set; }
    public DateTimeOffset? LastEscalatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The most photos a report, or a resolution, carries.</summary>
    public const int MaxPhotos = 9;

    public static readonly string PhotoLimitText = $"最多上传 {MaxPhotos} 张照片。";

    /// <summary>"The repair is open": reported and not yet resolved or cancelled, so someone still owes work on it.</summary>
    private static readonly Expression<Func<RepairStatus, bool>> OpenStatus =
        s => s == RepairStatus.Submitted || s == RepairStatus.Assigned || s == RepairStatus.InProgress;

    private static readonly Func<RepairStatus, bool> OpenStatusInMemory = OpenStatus.Compile();

    /// <summary>Open repairs, for queries (the board, escalation, Open311).</summary>
    public static readonly Expression<Func<Repair, bool>> Open = OpenStatus.On((Repair r) => r.Status);

    public static bool IsOpenStatus(RepairStatus status) => OpenStatusInMemory(status);

    public bool IsOpen => IsOpenStatus(Status);

    /// <summary>
    /// The escalation level this repair should have reached by <paramref name="now"/>: overdue goes to the grid
    /// worker (1); still open after as long again as it was allowed goes to the community admin (2).
    /// </summary>
    public int DueEscalationLevel(DateTimeOffset now)
    {
        if (!IsOpen || now <= DeadlineAt)
        {
            return 0;
        }

        var allowed = DeadlineAt - CreatedAt;
        return now > DeadlineAt + allowed ? 2 : 1;
    }

    public bool IsOverdue(DateTimeOffset now) => IsOpen && now > DeadlineAt;

    private void Require(string step, params RepairStatus[] allowed)
    {
        if (!allowed.Contains(Status))
        {
            throw new ConflictException($"该报修单当前为「{StatusTexts.Of(Status)}」，不能{step}；只有{StatusTexts.Of(allowed)}的报修单才能{step}。");
        }
    }

    public static string Wire(RepairStatus s) => s == RepairStatus.InProgress ? "in_progress" : s.ToString().ToLowerInvariant();

    public void Assign(long assigneeId)
    {
        Require("派单", RepairStatus.Submitted, RepairStatus.Assigned);
        AssigneeId = assigneeId;
        Status = RepairStatus.Assigned;
    }

    public void Start(long staffId)
    {
        Require("开始处理", RepairStatus.Assigned);
        if (AssigneeId != staffId)
        {
            throw new ConflictException("只有被派单的人员才能开始处理；如需换人，请先改派。");
        }

        Status = RepairStatus.InProgress;
    }

    public void Resolve(string note, DateTimeOffset now)
    {
        Require("办结", RepairStatus.InProgress);
        Status = RepairStatus.Resolved;
        ResolutionNote = note;
        ResolvedAt = now;
    }

    public void Cancel()
    {
        Require("取消", RepairStatus.Submitted, RepairStatus.Assigned);
        Status = RepairStatus.Cancelled;
    }

    /// <summary>Back to the same assignee with a fresh deadline (<paramref name="allowed"/>, the category's time) and no escalation.</summary>
    public void Reopen(DateTimeOffset now, TimeSpan? allowed = null)
    {
        Require("申请返修", RepairStatus.Resolved);
        if (now - ResolvedAt > ReopenWindow)
        {
            throw new ConflictException("报修处理完成 7 天内才能申请返修，现已超过期限，请重新报修。");
        }

        Status = RepairStatus.Assigned;
        ReopenCount++;
        ResolvedAt = null;
        if (allowed is { } a)
        {
            DeadlineAt = now + a;
            EscalationLevel = 0;
        }
    }

    public void Rate(int stars, string? comment, DateTimeOffset now)
    {
        Require("评价", RepairStatus.Resolved);
        Stars = stars;
        RatingComment = comment;
        Status = RepairStatus.Closed;
        ClosedAt = now;
    }

    /// <summary>催单: at most once every 12 hours, and only while it is still open.</summary>
    public void Urge(DateTimeOffset now)
    {
        Require("催单", RepairStatus.Submitted, RepairStatus.Assigned, RepairStatus.InProgress);
        if (LastUrgedAt is { } last && now - last < UrgeInterval)
        {
            throw new ConflictException($"您已于 {last.Show("HH:mm")} 催过单，12 小时后才能再次催单。");
        }

        LastUrgedAt = now;
    }
}

/// <summary>One step on a repair's timeline: who, when, what, note.</summary>
public sealed class RepairEvent : IChildOf<Repair>
{
    public long Id { get; set; }
    public long RepairId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Action { get; set; }
    public required string Actor { get; set; }
    public string? Note { get; set; }
}

public enum PhotoStage { Report, Resolution }

/// <summary>A photo on a repair: taken by the reporter, or by staff as proof of the fix.</summary>
public sealed class RepairPhoto : IChildOf<Repair>
{
    public long Id { get; set; }
    public long RepairId { get; set; }
    public required string FileId { get; set; }
    public PhotoStage Stage { get; set; }
}

/// <summary>Who an overdue repair was escalated to, and when (the console's "escalated to me").</summary>
public sealed class RepairEscalation : IChildOf<Repair>
{
    public long Id { get; set; }
    public long RepairId { get; set; }
    public int Level { get; set; }
    public long AdminUserId { get; set; }
    public DateTimeOffset At { get; set; }
}
