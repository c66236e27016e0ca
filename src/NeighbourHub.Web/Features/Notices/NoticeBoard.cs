using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Notices;

/// <summary>What a notice says and to whom, before it is posted.</summary>
/// <param name="KeepUntil">公示: the notice may not be withdrawn before this time.</param>
/// <param name="VoteId">The vote it announces or publishes the results of.</param>
public sealed record NoticeDraft(
    NoticeScopeLevel ScopeLevel,
    long ScopeId,
    string Title,
    string Body,
    bool Pinned,
    DateTimeOffset PublishAt,
    bool Notify,
    IReadOnlyList<string> AttachmentFileIds,
    DateTimeOffset? KeepUntil = null,
    long? VoteId = null);

/// <summary>What staff send to publish a notice (API.md: POST /api/v1/admin/notices).</summary>
/// <param name="ScopeLevel">community, estate or building.</param>
/// <param name="ScopeId">The community, estate or building the notice is for.</param>
/// <param name="PublishAt">When residents first see it; omitted means now. At most <see cref="NoticeBoard.MaxScheduleDays"/> days ahead.</param>
/// <param name="Notify">Send the residents in scope a subscribe message when it is published.</param>
public sealed record NoticeBody(string? ScopeLevel, long? ScopeId, string? Title, string? Body, bool? Pinned, IReadOnlyList<string>? AttachmentIds,
    DateTimeOffset? PublishAt, bool? Notify);

/// <summary>What a reminder to the unread did: how many flats and residents it reaches, and when the next one is allowed.</summary>
public sealed record RemindResult(long NoticeId, DateTimeOffset RemindedAt, int UnreadFlats, int Recipients, DateTimeOffset NextAllowedAt);

/// <summary>
/// Who may post and manage notices at which level — the one place that answers it:
/// <list type="bullet">
/// <item>a whole <b>community</b>: its community admins (the 居委会 runs the community's notice board) and platform admins;</item>
/// <item>an <b>estate</b> or one of its <b>buildings</b>: every staff member who sees the estate — its community admins, the firm
/// serving it today, its committee members, and the grid workers whose grid covers a building of it (their scope).</item>
/// </list>
/// A scope the caller does not see at all is "not found" (404), before this rule is asked; seeing it without the right is 403.
/// </summary>
public static class NoticeRights
{
    public static bool MayPost(AccessScope scope, NoticeScopeLevel level, long communityId, long? estateId) =>
        scope.Kind == ScopeKind.System || scope.Unrestricted
        || (scope.Kind == ScopeKind.Admin && (level == NoticeScopeLevel.Community
            ? scope.Has(AdminRole.CommunityAdmin) && scope.RunsOfficeOf(communityId)
            : estateId is { } e && scope.CanSeeEstate(e)));

    public static bool MayManage(AccessScope scope, Notice notice) => MayPost(scope, notice.ScopeLevel, notice.CommunityId, notice.EstateId);

    public static void CheckPost(AccessScope scope, NoticeScopeLevel level, long communityId, long? estateId)
    {
        if (!MayPost(scope, level, communityId, estateId))
        {
            throw new ForbiddenException(level == NoticeScopeLevel.Community
                ? "面向整个社区的公告只能由社区管理员或平台管理员发布和管理。"
                : "您不能发布或管理这个小区的公告。");
        }
    }
}

/// <summary>
/// The one writer of notices (公告): staff through the API and the console, and other features (a vote's announcement
/// and its results) inside their own transactions.
/// </summary>
public sealed class NoticeBoard(TimeProvider clock)
{
    public const int MaxTitle = 100;
    public const int MaxBody = 10_000;
    public const int MaxAttachments = 9;
    public const int MaxScheduleDays = 30;
    public const int MaxReason = 200;

    /// <summary>Reminders to the unread: at most one per notice in this span.</summary>
    public static readonly TimeSpan RemindInterval = TimeSpan.FromDays(1);

    /// <summary>A publication time this far in the past still counts as "now" (a form filled in slowly, clocks a little apart).</summary>
    public static readonly TimeSpan PastTolerance = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Adds the notice and its attachments to the context; the caller saves them with its own changes, so a notice
    /// another feature posts commits or fails with that feature's change. With <see cref="NoticeDraft.Notify"/> the
    /// residents in scope are told by <see cref="NoticePublicationJob"/> once <see cref="NoticeDraft.PublishAt"/> has come.
    /// </summary>
    public async Task<Notice> AddAsync(NeighbourHubDbContext db, NoticeDraft draft, string postedByName, CancellationToken ct)
    {
        var (communityId, estateId, buildingId) = await PlaceAsync(db, draft.ScopeLevel, draft.ScopeId, ct);
        var notice = new Notice
        {
            ScopeLevel = draft.ScopeLevel,
            CommunityId = communityId,
            EstateId = estateId,
            BuildingId = buildingId,
            Title = draft.Title,
            Body = draft.Body,
            Pinned = draft.Pinned,
            // Stored in UTC whatever offset the caller used (a vote may pass China time), so every comparison is like with like.
            PublishAt = draft.PublishAt.ToUniversalTime(),
            KeepUntil = draft.KeepUntil?.ToUniversalTime(),
            Notify = draft.Notify,
            VoteId = draft.VoteId,
            CreatedAt = clock.GetUtcNow(),
            CreatedByAdminId = db.Scope.Value.AdminUserId,
            CreatedByName = postedByName,
        };
        db.Notices.Add(notice);
        for (var i = 0; i < draft.AttachmentFileIds.Count; i++)
        {
            db.NoticeAttachments.Add(new NoticeAttachment { Notice = notice, FileId = draft.AttachmentFileIds[i], Ordinal = i });
        }

        return notice;
    }

    /// <summary>
    /// Staff publish a notice: checked field by field, then the scope (404 outside the caller's, 403 without the right), then
    /// the attachments (the caller's own uploads). Published now with <c>notify</c>, the subscribe messages are queued in
    /// the same transaction; scheduled, <see cref="NoticePublicationJob"/> queues them when the time comes.
    /// <para>
    /// Staff text is not sent to WeChat's msg_sec_check: that call screens what a mini-program <i>user</i> wrote and needs
    /// the openid of a user who opened the mini-program in the last two hours (WECHAT.md); staff sign in to the console
    /// with an account, have no openid, and borrowing a resident's would misattribute the text. Staff are named on every
    /// notice, their action is in the audit log, and a wrong notice is withdrawn — accountability instead of screening.
    /// </para>
    /// </summary>
    public async Task<Notice> PublishAsync(NeighbourHubDbContext db, NoticeBody? body, CancellationToken ct)
    {
        var now = clock.StorableNow();
        var v = new Validation();
        var level = ParseLevel(body?.ScopeLevel, v);
        v.Positive("scopeId", body?.ScopeId)
         .Required("title", body?.Title, MaxTitle, "标题")
         .Required("body", body?.Body, MaxBody, "正文")
         .When(body?.PublishAt is { } early && early < now - PastTolerance, "publishAt", "发布时间不能早于现在；立即发布请不填发布时间。")
         .When(body?.PublishAt is { } late && late > now.AddDays(MaxScheduleDays), "publishAt", $"定时发布最多提前 {MaxScheduleDays} 天。");
        CheckAttachmentIds(v, body?.AttachmentIds);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var scope = db.Scope.Value;
        if (scope.AdminUserId is not { } adminId)
        {
            throw new ForbiddenException("只有工作人员可以发布公告。");
        }

        var (communityId, estateId, _) = await PlaceAsync(db, level!.Value, body!.ScopeId!.Value, ct);
        NoticeRights.CheckPost(scope, level.Value, communityId, estateId);
        var ids = body.AttachmentIds ?? [];
        if (ids.Count > 0)
        {
            var own = await db.StoredFiles.AsNoTracking().CountAsync(f => ids.Contains(f.Id) && f.UploadedByAdminId == adminId, ct);
            if (own != ids.Count)
            {
                throw new DomainValidationException("attachmentIds", "附件不存在，或不是您本人上传的，请重新上传。");
            }
        }

        var publishAt = body.PublishAt is { } at && at > now ? at.ToUniversalTime() : now;
        var draft = new NoticeDraft(level.Value, body.ScopeId.Value, body.Title!.Trim(), body.Body!.Trim(), body.Pinned ?? false, publishAt, body.Notify ?? false, ids);
        var name = await PosterNameAsync(db, adminId, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var notice = await AddAsync(db, draft, name, ct);
        await db.SaveChangesAsync(ct);
        await QueuePublishedAsync(db, notice.Id, clock, ct);
        db.Audit("notice.publish", nameof(Notice), Id(notice.Id), new { notice.ScopeLevel, notice.CommunityId, notice.EstateId, notice.BuildingId, notice.PublishAt, notice.Notify });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return notice;
    }

    /// <summary>
    /// Claims a published notice's subscribe messages (a conditional update on <see cref="Notice.NotifiedAt"/>, so exactly one
    /// caller across instances wins) and queues the one fan-out message that sends them; the caller saves. False when there is
    /// nothing to send or another caller was first.
    /// </summary>
    public static async Task<bool> QueuePublishedAsync(NeighbourHubDbContext db, long noticeId, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.StorableNow();
        var claimed = await db.Notices
            .Where(n => n.Id == noticeId && n.Notify && n.NotifiedAt == null && n.WithdrawnAt == null && n.PublishAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.NotifiedAt, now), ct);
        if (claimed != 1)
        {
            return false;
        }

        await Outbox.EnqueueAsync(db, NoticeFanOut.Topic, NoticeFanOut.KeyOf(noticeId, NoticeFanOut.Published, 0),
            new NoticeFanOutPayload(noticeId, NoticeFanOut.Published, 0), clock, ct);
        return true;
    }

    /// <summary>Withdraws a notice (with the reason, in the audit log); refused during its 公示 period and when already withdrawn.</summary>
    public async Task<Notice> WithdrawAsync(NeighbourHubDbContext db, long noticeId, string? reason, CancellationToken ct)
    {
        var v = new Validation().Required("reason", reason, MaxReason, "撤回原因");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var notice = await ManagedAsync(db, noticeId, ct);
        var now = clock.StorableNow();
        if (notice.WithdrawnAt is { } gone)
        {
            throw new ConflictException($"这条公告已于 {gone.Show()} 撤回。");
        }

        if (notice.KeepUntil is { } keep && keep > now)
        {
            throw new ConflictException($"这条公告处于公示期，{keep.Show()} 之前不能撤回。");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var done = await db.Notices.Where(n => n.Id == noticeId && n.WithdrawnAt == null && (n.KeepUntil == null || n.KeepUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.WithdrawnAt, now), ct);
        if (done != 1)
        {
            throw new ConflictException("这条公告刚刚已被撤回。");
        }

        db.Audit("notice.withdraw", nameof(Notice), Id(noticeId), new { reason = reason!.Trim() });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        notice.WithdrawnAt = now;
        return notice;
    }

    /// <summary>Pins (置顶) or unpins a notice that is not withdrawn.</summary>
    public async Task<Notice> PinAsync(NeighbourHubDbContext db, long noticeId, bool pinned, CancellationToken ct)
    {
        var notice = await ManagedAsync(db, noticeId, ct);
        if (notice.WithdrawnAt is not null)
        {
            throw new ConflictException("已撤回的公告不能置顶或取消置顶。");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Notices.Where(n => n.Id == noticeId).ExecuteUpdateAsync(s => s.SetProperty(n => n.Pinned, pinned), ct);
        db.Audit(pinned ? "notice.pin" : "notice.unpin", nameof(Notice), Id(noticeId));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        notice.Pinned = pinned;
        return notice;
    }

    /// <summary>
    /// Reminds the residents of the flats that have not read a published notice, by subscribe message, at most once per
    /// <see cref="RemindInterval"/>: a conditional update on <see cref="Notice.RemindedAt"/> lets one of racing reminders through.
    /// </summary>
    public async Task<RemindResult> RemindAsync(NeighbourHubDbContext db, NoticeQueries queries, long noticeId, CancellationToken ct)
    {
        var notice = await ManagedAsync(db, noticeId, ct);
        var now = clock.StorableNow();
        if (notice.WithdrawnAt is not null)
        {
            throw new ConflictException("公告已撤回，不能再提醒。");
        }

        if (notice.PublishAt > now)
        {
            throw new ConflictException($"公告将于 {notice.PublishAt.Show()} 发布，发布后才能提醒未读住户。");
        }

        if (notice.RemindedAt is { } last && last > now - RemindInterval)
        {
            throw TooSoon(last);
        }

        var flats = await queries.FlatsAsync(db, notice, null, ct);
        var unread = flats.Where(f => !f.Read && f.ResidentIds.Count > 0).ToList();
        var recipients = unread.SelectMany(f => f.ResidentIds).Distinct().Count();
        if (recipients == 0)
        {
            throw new ConflictException("已认证的住户都已阅读这条公告，无需提醒。");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var since = now - RemindInterval;
        var claimed = await db.Notices.Where(n => n.Id == noticeId && (n.RemindedAt == null || n.RemindedAt <= since))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.RemindedAt, now), ct);
        if (claimed != 1)
        {
            await tx.RollbackAsync(ct);
            var latest = await db.Notices.AsNoTracking().Where(n => n.Id == noticeId).Select(n => n.RemindedAt).SingleAsync(ct);
            throw TooSoon(latest ?? now);
        }

        var stamp = now.ToUnixTimeMilliseconds();
        await Outbox.EnqueueAsync(db, NoticeFanOut.Topic, NoticeFanOut.KeyOf(noticeId, NoticeFanOut.Remind, stamp),
            new NoticeFanOutPayload(noticeId, NoticeFanOut.Remind, stamp), clock, ct);
        db.Audit("notice.remind", nameof(Notice), Id(noticeId), new { unreadFlats = unread.Count, recipients });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new RemindResult(noticeId, now, unread.Count, recipients, now + RemindInterval);

        static ConflictException TooSoon(DateTimeOffset last) =>
            new($"每条公告每天最多提醒一次：上次提醒于 {last.Show()}，{(last + RemindInterval).Show()} 之后可以再次提醒。");
    }

    /// <summary>
    /// Records that the resident opened the notice, once: the unique index on (notice, resident) decides between racing
    /// opens, and the loser reads the winner's row. Returns when it was first read.
    /// </summary>
    public async Task<DateTimeOffset> MarkReadAsync(NeighbourHubDbContext db, long noticeId, CancellationToken ct)
    {
        var residentId = db.Scope.Value.ResidentId ?? throw new ForbiddenException("只有居民的阅读会被记录。");
        if (await FirstReadAsync(db, noticeId, residentId, ct) is { } earlier)
        {
            return earlier;
        }

        var read = new NoticeRead { NoticeId = noticeId, ResidentId = residentId, At = clock.StorableNow() };
        db.NoticeReads.Add(read);
        try
        {
            await db.SaveChangesAsync(ct);
            return read.At;
        }
        catch (DbUpdateException)
        {
            // Another open of the same notice by the same resident won the insert (or collided with it): read theirs.
            db.ChangeTracker.Clear();
            return await FirstReadAsync(db, noticeId, residentId, ct) ?? read.At;
        }
    }

    private static Task<DateTimeOffset?> FirstReadAsync(NeighbourHubDbContext db, long noticeId, long residentId, CancellationToken ct) =>
        db.NoticeReads.AsNoTracking().Where(r => r.NoticeId == noticeId && r.ResidentId == residentId).Select(r => (DateTimeOffset?)r.At).FirstOrDefaultAsync(ct);

    /// <summary>A notice the caller sees (else 404) and may manage (else 403).</summary>
    private static async Task<Notice> ManagedAsync(NeighbourHubDbContext db, long noticeId, CancellationToken ct)
    {
        var notice = await db.Notices.AsNoTracking().SingleOrDefaultAsync(n => n.Id == noticeId, ct) ?? throw new NotFoundException("公告");
        NoticeRights.CheckPost(db.Scope.Value, notice.ScopeLevel, notice.CommunityId, notice.EstateId);
        return notice;
    }

    /// <summary>How residents read who posted: the staff member's name and office, e.g. "李主任（社区居委会）".</summary>
    private static async Task<string> PosterNameAsync(NeighbourHubDbContext db, long adminId, CancellationToken ct)
    {
        var scope = db.Scope.Value;
        var name = (await db.Users.AsNoTracking().Where(u => u.Id == adminId).Select(AdminUser.Named).SingleAsync(ct)).Name ?? "";
        var office = scope.Has(AdminRole.CommunityAdmin) ? "社区居委会"
            : scope.Has(AdminRole.PlatformAdmin) ? "街道"
            : scope.Has(AdminRole.FirmStaff) ? "物业"
            : scope.Has(AdminRole.CommitteeMember) ? "业委会"
            : scope.Has(AdminRole.GridWorker) ? "网格员" : "工作人员";
        var shown = $"{name}（{office}）";
        return shown.Length <= 64 ? shown : shown[..64];
    }

    public static NoticeScopeLevel? ParseLevel(string? value, Validation v)
    {
        switch (value)
        {
            case "community":
                return NoticeScopeLevel.Community;
            case "estate":
                return NoticeScopeLevel.Estate;
            case "building":
                return NoticeScopeLevel.Building;
            case null or "":
                v.Add("scopeLevel", "请选择公告范围：community（社区）、estate（小区）或 building（楼栋）。");
                return null;
            default:
                v.Add("scopeLevel", "公告范围只能是 community（社区）、estate（小区）或 building（楼栋）。");
                return null;
        }
    }

    public static void CheckAttachmentIds(Validation v, IReadOnlyList<string>? ids) =>
        v.When(ids is { Count: > MaxAttachments }, "attachmentIds", $"附件最多 {MaxAttachments} 个。")
         .When(ids?.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > 32) == true, "attachmentIds", "附件编号无效，请重新上传。")
         .When(ids is not null && ids.Distinct().Count() != ids.Count, "attachmentIds", "同一个附件只需添加一次。");

    /// <summary>The wire name of a level: community, estate, building.</summary>
    public static string Wire(NoticeScopeLevel level) => level switch
    {
        NoticeScopeLevel.Community => "community",
        NoticeScopeLevel.Estate => "estate",
        _ => "building",
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The community, estate and building a scope names; a node outside the caller's scope is not found.</summary>
    private static async Task<(long CommunityId, long? EstateId, long? BuildingId)> PlaceAsync(
        NeighbourHubDbContext db, NoticeScopeLevel level, long scopeId, CancellationToken ct)
    {
        switch (level)
        {
            case NoticeScopeLevel.Community:
                var community = await db.Communities.AsNoTracking().Where(c => c.Id == scopeId).Select(c => (long?)c.Id).SingleOrDefaultAsync(ct);
                return (community ?? throw new NotFoundException("社区"), null, null);
            case NoticeScopeLevel.Estate:
                var estate = await db.Estates.AsNoTracking().Where(e => e.Id == scopeId).Select(e => new { e.Id, e.CommunityId }).SingleOrDefaultAsync(ct)
                    ?? throw new NotFoundException("小区");
                return (estate.CommunityId, estate.Id, null);
            default:
                var building = await db.Buildings.AsNoTracking().Where(b => b.Id == scopeId)
                    .Select(b => new { b.Id, b.EstateId, CommunityId = db.Estates.Where(e => e.Id == b.EstateId).Select(e => e.CommunityId).Single() })
                    .SingleOrDefaultAsync(ct) ?? throw new NotFoundException("楼栋");
                return (building.CommunityId, building.EstateId, building.Id);
        }
    }
}
