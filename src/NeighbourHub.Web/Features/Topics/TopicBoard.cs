using System.Globalization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Moderation;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Topics;

public sealed record RaiseTopicBody(long? EstateId, string? Title, string? Body);

public sealed record TopicCommentBody(string? Text);

/// <param name="Kind">major, minor or routine.</param>
/// <param name="RepairCategoryId">Routine only: the public-area repair category of the repair handed to the trustee (default: the estate's first).</param>
/// <param name="Location">Routine only: where the trustee should look (default 公共区域).</param>
public sealed record ClassifyTopicBody(string? Kind, string? Note, long? RepairCategoryId, string? Location);

public sealed record DecideTopicBody(string? Outcome, string? Note);

/// <summary>A resident's support of a topic as they see it after supporting or withdrawing.</summary>
public sealed record SupportState(long Id, int Supporters, bool SupportedByMe);

/// <summary>Who acts on a topic, as neighbours read it (never an id or a login name), and whether they may sort topics.</summary>
public sealed record TopicActor(long? ResidentId, long? AdminUserId, string Name, bool MaySort);

/// <summary>
/// The one writer of topics (议事) and their supports, comments and timeline. Other features reach a topic only
/// through it: the owners' vote that decides a major topic calls <see cref="PutToVoteAsync"/> and
/// <see cref="DecideByVoteAsync"/> inside its own transaction.
/// <para>
/// A resident of an estate (residence approved) raises a topic; its text is screened (risky → refused, doubtful →
/// held for staff, seen only by its author and the estate's staff). Neighbours support it once each and comment.
/// The committee of the estate, the community office or a platform admin sorts it 三事分流: major → accepted until
/// the owners' vote decides it; minor → accepted, then the committee (议事会) records its decision; routine → handed
/// to the trustee as a public-area repair, then recorded. Every step goes on the topic's public timeline and the
/// author gets a subscribe message when it is sorted and when it is decided.
/// </para>
/// </summary>
public sealed class TopicBoard(ContentScreen screen, RepairService repairs, TimeProvider clock)
{
    public const int TitleMax = 60;
    public const int BodyMax = 2000;
    public const int CommentMax = 500;
    public const int NoteMax = 500;

    public const string SortersOnly = "只有本小区业委会成员、社区管理员和平台管理员可以分流、决定和审核议题。";

    // --- Residents (and staff) raise, support and discuss. ---

    public async Task<Topic> RaiseAsync(NeighbourHubDbContext db, RaiseTopicBody? body, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", body?.EstateId)
            .Required("title", body?.Title, TitleMax, "标题").Required("body", body?.Body, BodyMax, "内容");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var estateId = body!.EstateId!.Value;
        var title = body.Title!.Trim();
        var text = body.Body!.Trim();
        var scope = db.Scope.Value;
        TopicActor author;
        var held = false;
        if (scope.ResidentId is { } residentId)
        {
            if (!scope.CanSeeEstate(estateId))
            {
                throw new ForbiddenException("只能在您已完成住户认证的小区发起议题。");
            }

            author = await ResidentAsync(db, residentId, estateId, ct);
            var openId = await db.Residents.Where(r => r.Id == residentId).Select(r => r.OpenId).SingleAsync(ct);
            // Both are screened before anything is kept: a risky title or body is refused whole.
            var titleVerdict = await screen.CheckAsync(openId, "title", title, ct);
            var bodyVerdict = await screen.CheckAsync(openId, "body", text, ct);
            held = titleVerdict == ScreenVerdict.Hold || bodyVerdict == ScreenVerdict.Hold;
        }
        else
        {
            RequireSorterRole(db);
            if (!scope.CanSeeEstate(estateId))
            {
                throw new NotFoundException("小区");
            }

            author = await StaffAsync(db, estateId, ct);
            RequireSorter(author);
        }

        var now = clock.StorableNow();
        var topic = new Topic
        {
            EstateId = estateId,
            Title = title,
            Body = text,
            Held = held,
            AuthorResidentId = author.ResidentId,
            AuthorAdminId = author.AdminUserId,
            AuthorName = author.Name,
            CreatedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Topics.Add(topic);
        await db.SaveChangesAsync(ct);
        Step(db, topic.Id, "raised", author.Name, "");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return topic;
    }

    /// <summary>
    /// One support per resident: the unique (topic, resident) key keeps it one, races included, and the counter moves
    /// in the same transaction. Supporting again changes nothing and answers the same state.
    /// </summary>
    public async Task<SupportState> SupportAsync(NeighbourHubDbContext db, long topicId, CancellationToken ct)
    {
        var residentId = db.Scope.Value.ResidentId ?? throw new ForbiddenException("请使用居民账号附议。");
        var topic = await FindAsync(db, topicId, ct);
        RequireDiscussable(topic, "附议");
        for (var attempt = 1; !await SupportsAsync(db, topicId, residentId, ct); attempt++)
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                // The topic row first: racing supporters queue on its lock instead of deadlocking on the support index.
                await db.Topics.Where(t => t.Id == topicId).ExecuteUpdateAsync(u => u.SetProperty(t => t.Supporters, t => t.Supporters + 1), ct);
                db.TopicSupports.Add(new TopicSupport { TopicId = topicId, ResidentId = residentId, At = clock.StorableNow() });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (Exception e) when (e is DbUpdateException || DatabaseCollisions.IsCollision(e))
            {
                // A duplicate (the same resident twice at once: the rollback undid the count) or a collision: look again.
                db.ChangeTracker.Clear();
                if (attempt >= 5)
                {
                    throw new ConflictException("附议的人太多了，请稍后再试。");
                }
            }
        }

        return await StateAsync(db, topicId, residentId, ct);
    }

    public async Task<SupportState> WithdrawSupportAsync(NeighbourHubDbContext db, long topicId, CancellationToken ct)
    {
        var residentId = db.Scope.Value.ResidentId ?? throw new ForbiddenException("请使用居民账号取消附议。");
        var topic = await FindAsync(db, topicId, ct);
        RequireDiscussable(topic, "取消附议");
        for (var attempt = 1; await SupportsAsync(db, topicId, residentId, ct); attempt++)
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.Topics.Where(t => t.Id == topicId).ExecuteUpdateAsync(u => u.SetProperty(t => t.Supporters, t => t.Supporters - 1), ct);
                if (await db.TopicSupports.Where(s => s.TopicId == topicId && s.ResidentId == residentId).ExecuteDeleteAsync(ct) == 1)
                {
                    await tx.CommitAsync(ct);
                }
            }
            catch (Exception e) when (DatabaseCollisions.IsCollision(e) && attempt < 5)
            {
                db.ChangeTracker.Clear();
            }
        }

        return await StateAsync(db, topicId, residentId, ct);
    }

    private static Task<bool> SupportsAsync(NeighbourHubDbContext db, long topicId, long residentId, CancellationToken ct) =>
        db.TopicSupports.AnyAsync(s => s.TopicId == topicId && s.ResidentId == residentId, ct);

    private static async Task<SupportState> StateAsync(NeighbourHubDbContext db, long topicId, long residentId, CancellationToken ct)
    {
        var supporters = await db.Topics.AsNoTracking().Where(t => t.Id == topicId).Select(t => t.Supporters).SingleAsync(ct);
        return new SupportState(topicId, supporters, await SupportsAsync(db, topicId, residentId, ct));
    }

    /// <summary>A resident's comment is screened like a topic; staff reply in their own name, unscreened.</summary>
    public async Task<TopicComment> CommentAsync(NeighbourHubDbContext db, long topicId, TopicCommentBody? body, CancellationToken ct)
    {
        var topic = await FindAsync(db, topicId, ct);
        var v = new Validation().Required("text", body?.Text, CommentMax, "评论内容");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        RequireDiscussable(topic, "评论");
        var text = body!.Text!.Trim();
        var scope = db.Scope.Value;
        TopicActor author;
        var held = false;
        if (scope.ResidentId is { } residentId)
        {
            author = await ResidentAsync(db, residentId, topic.EstateId, ct);
            var openId = await db.Residents.Where(r => r.Id == residentId).Select(r => r.OpenId).SingleAsync(ct);
            held = await screen.CheckAsync(openId, "text", text, ct) == ScreenVerdict.Hold;
        }
        else
        {
            author = await StaffAsync(db, topic.EstateId, ct);
        }

        var comment = new TopicComment
        {
            TopicId = topicId,
            ResidentId = author.ResidentId,
            AdminId = author.AdminUserId,
            AuthorName = author.Name,
            Text = text,
            Held = held,
            CreatedAt = clock.StorableNow(),
        };
        db.TopicComments.Add(comment);
        await db.SaveChangesAsync(ct);
        return comment;
    }

    // --- Staff: moderation and 三事分流. ---

    /// <summary>A held topic passes review: from now on every resident of the estate sees it.</summary>
    public async Task<Topic> ReleaseAsync(NeighbourHubDbContext db, long topicId, CancellationToken ct)
    {
        var (topic, staff) = await ForSorterAsync(db, topicId, ct);
        if (!topic.Held)
        {
            throw new ConflictException("这个议题不在待审核状态。");
        }

        if (topic.Status != TopicStatus.Open)
        {
            throw new ConflictException($"该议题已{TopicTexts.Name(topic.Status)}，不能再审核通过。");
        }

        topic.Held = false;
        Step(db, topic.Id, "released", staff.Name, "内容审核通过，向本小区居民公开");
        await SaveAsync(db, topic, ct);
        return topic;
    }

    public async Task<Topic> ClassifyAsync(NeighbourHubDbContext db, long topicId, ClassifyTopicBody? body, CancellationToken ct)
    {
        var (topic, staff) = await ForSorterAsync(db, topicId, ct);
        var kind = TopicTexts.ParseKind(body?.Kind);
        var v = new Validation()
            .When(kind is null or TopicKind.Unclassified, "kind", "请选择分流类别：major（大事，业主表决）、minor（小事，业委会/议事会决定）或 routine（琐事，物业办理）。")
            .When(body?.Note?.Length > NoteMax, "note", $"分流说明最多 {NoteMax} 个字。")
            .When(body?.Location?.Length > 200, "location", "位置最多 200 个字。")
            .When(body?.RepairCategoryId is <= 0, "repairCategoryId", "编号必须是正整数。");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        if (topic.Held)
        {
            throw new ConflictException("议题还在待审核：请先审核通过，再分流。");
        }

        if (topic.Status != TopicStatus.Open)
        {
            throw new ConflictException($"该议题已{TopicTexts.Name(topic.Status)}，只有待分流的议题可以分流。");
        }

        var note = string.IsNullOrWhiteSpace(body!.Note) ? null : body.Note.Trim();
        var now = clock.StorableNow();
        topic.Kind = kind!.Value;
        topic.Status = TopicStatus.Accepted;
        topic.ClassificationNote = note;
        topic.ClassifiedAt = now;
        Step(db, topic.Id, "classified", staff.Name, $"{TopicTexts.Name(topic.Kind)}：{TopicTexts.Route(topic.Kind)}{(note is null ? "" : "。" + note)}");
        await NotifyAsync(db, topic, "topic.sorted", $"分流为{TopicTexts.Name(topic.Kind)}", ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (topic.Kind == TopicKind.Routine)
        {
            var description = $"【议事转办】{topic.Title}：{topic.Body}";
            var location = string.IsNullOrWhiteSpace(body.Location) ? "公共区域" : body.Location.Trim();
            Repair repair;
            try
            {
                repair = await repairs.SubmitForTopicAsync(db, topic.EstateId, body.RepairCategoryId, description[..Math.Min(description.Length, 1000)], location, ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                throw new ConflictException("这个议题刚刚被其他人处理过，请刷新后查看最新状态。");
            }

            topic.RepairId = repair.Id;
            var category = await db.RepairCategories.Where(c => c.Id == repair.CategoryId).Select(c => c.Name).SingleAsync(ct);
            Step(db, topic.Id, "handed_over", staff.Name, $"转交受托物业办理：报修单 #{repair.Id}（{category}，{location}）");
        }

        await SaveAsync(db, topic, ct);
        await tx.CommitAsync(ct);
        return topic;
    }

    /// <summary>
    /// The committee (议事会) records its decision on a minor matter, or the outcome of a routine one handed to the
    /// trustee. A major matter is decided only by the owners' vote.
    /// </summary>
    public async Task<Topic> DecideAsync(NeighbourHubDbContext db, long topicId, DecideTopicBody? body, CancellationToken ct)
    {
        var (topic, staff) = await ForSorterAsync(db, topicId, ct);
        var v = new Validation().Required("outcome", body?.Outcome, NoteMax, "决定内容").When(body?.Note?.Length > NoteMax, "note", $"说明最多 {NoteMax} 个字。");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        if (topic.Kind == TopicKind.Major)
        {
            throw new ConflictException("大事须由业主大会表决决定：请发起业主表决，表决结束后自动记录结果。");
        }

        if (topic.Status != TopicStatus.Accepted)
        {
            throw new ConflictException(topic.Status == TopicStatus.Open
                ? "请先分流：小事由业委会或议事会决定，琐事转交物业办理。"
                : $"该议题已{TopicTexts.Name(topic.Status)}，不能再记录决定。");
        }

        var outcome = body!.Outcome!.Trim();
        var note = string.IsNullOrWhiteSpace(body.Note) ? null : body.Note.Trim();
        topic.Status = TopicStatus.Decided;
        topic.Outcome = outcome;
        topic.DecidedAt = clock.StorableNow();
        Step(db, topic.Id, "decided", staff.Name, note is null ? outcome : $"{outcome}（{note}）");
        await NotifyAsync(db, topic, "topic.decided", "已作出决定", ct);
        await SaveAsync(db, topic, ct);
        return topic;
    }

    /// <summary>Not for deliberation here (duplicate, outside the estate's remit, or refused in review); the reason is public.</summary>
    public async Task<Topic> RejectAsync(NeighbourHubDbContext db, long topicId, ReasonBody? body, CancellationToken ct)
    {
        var (topic, staff) = await ForSorterAsync(db, topicId, ct);
        var v = new Validation().Required("reason", body?.Reason, NoteMax, "驳回理由");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        if (topic.Status is not (TopicStatus.Open or TopicStatus.Accepted))
        {
            throw new ConflictException($"该议题已{TopicTexts.Name(topic.Status)}，只有待分流或已受理的议题可以驳回。");
        }

        var reason = body!.Reason!.Trim();
        topic.Status = TopicStatus.Rejected;
        topic.Outcome = reason;
        topic.DecidedAt = clock.StorableNow();
        Step(db, topic.Id, "rejected", staff.Name, reason);
        await NotifyAsync(db, topic, "topic.decided", "未予受理", ct);
        await SaveAsync(db, topic, ct);
        return topic;
    }

    /// <summary>结案: the matter is done (or withdrawn); nobody supports or comments any more.</summary>
    public async Task<Topic> CloseAsync(NeighbourHubDbContext db, long topicId, ReasonBody? body, CancellationToken ct)
    {
        var (topic, staff) = await ForSorterAsync(db, topicId, ct);
        var v = new Validation().When(body?.Reason?.Length > NoteMax, "reason", $"结案说明最多 {NoteMax} 个字。");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        if (topic.Status is TopicStatus.Closed or TopicStatus.Rejected or TopicStatus.InVote)
        {
            throw new ConflictException(topic.Status == TopicStatus.InVote ? "业主表决进行中，表决结束后才能结案。" : $"该议题已{TopicTexts.Name(topic.Status)}。");
        }

        topic.Status = TopicStatus.Closed;
        Step(db, topic.Id, "closed", staff.Name, body?.Reason?.Trim() ?? "");
        await SaveAsync(db, topic, ct);
        return topic;
    }

    /// <summary>A held comment passes review and is shown to the estate.</summary>
    public async Task ReleaseCommentAsync(NeighbourHubDbContext db, long topicId, long commentId, CancellationToken ct)
    {
        await ForSorterAsync(db, topicId, ct);
        if (await db.TopicComments.Where(c => c.Id == commentId && c.TopicId == topicId && c.Held).ExecuteUpdateAsync(u => u.SetProperty(c => c.Held, false), ct) == 0)
        {
            throw await CommentMissingAsync(db, topicId, commentId, ct);
        }

        db.Audit("topic.comment.release", nameof(TopicComment), commentId.ToString(CultureInfo.InvariantCulture), new { topicId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A held comment fails review: it is removed, never having been shown to anyone but its author and staff.</summary>
    public async Task RejectCommentAsync(NeighbourHubDbContext db, long topicId, long commentId, CancellationToken ct)
    {
        await ForSorterAsync(db, topicId, ct);
        if (await db.TopicComments.Where(c => c.Id == commentId && c.TopicId == topicId && c.Held).ExecuteDeleteAsync(ct) == 0)
        {
            throw await CommentMissingAsync(db, topicId, commentId, ct);
        }

        db.Audit("topic.comment.reject", nameof(TopicComment), commentId.ToString(CultureInfo.InvariantCulture), new { topicId });
        await db.SaveChangesAsync(ct);
    }

    private static async Task<Exception> CommentMissingAsync(NeighbourHubDbContext db, long topicId, long commentId, CancellationToken ct) =>
        await db.TopicComments.AnyAsync(c => c.Id == commentId && c.TopicId == topicId, ct)
            ? new ConflictException("这条评论不在待审核状态。")
            : new NotFoundException("评论");

    // --- The owners' vote (Votes feature) decides major topics. ---

    /// <summary>
    /// A vote was created for this topic: it must be a major matter (大事) of the same estate, not yet decided.
    /// Adds the change and its timeline step to the context; the caller saves them with the vote.
    /// </summary>
    public async Task PutToVoteAsync(NeighbourHubDbContext db, long topicId, long estateId, long voteId, string actor, CancellationToken ct)
    {
        var topic = await db.Topics.SingleOrDefaultAsync(t => t.Id == topicId && t.EstateId == estateId, ct) ?? throw new NotFoundException("议题");
        if (topic.Kind != TopicKind.Major || topic.Status != TopicStatus.Accepted || topic.VoteId is not null)
        {
            throw new ConflictException("只有已分流为“大事”且尚未表决的议题可以发起业主表决。");
        }

        topic.Status = TopicStatus.InVote;
        topic.VoteId = voteId;
        topic.Version++;
        db.TopicSteps.Add(new TopicStep { TopicId = topicId, At = clock.StorableNow(), Action = "put_to_vote", Actor = actor, Note = "提交业主大会表决" });
    }

    /// <summary>
    /// The vote deciding this topic closed: the topic is decided with the vote's result as its outcome, and its author
    /// is told. Adds the changes to the context; the caller saves them with the vote.
    /// </summary>
    public async Task DecideByVoteAsync(NeighbourHubDbContext db, long topicId, string outcome, CancellationToken ct)
    {
        var topic = await db.Topics.SingleOrDefaultAsync(t => t.Id == topicId, ct);
        if (topic is null || topic.Status != TopicStatus.InVote)
        {
            return;
        }

        var now = clock.StorableNow();
        topic.Status = TopicStatus.Decided;
        topic.Outcome = outcome;
        topic.DecidedAt = now;
        topic.Version++;
        db.TopicSteps.Add(new TopicStep { TopicId = topicId, At = now, Action = "decided", Actor = "业主大会", Note = outcome });
        await NotifyAsync(db, topic, "topic.decided", "业主大会已表决", ct);
    }

    // --- Who is acting. ---

    /// <summary>Whether the signed-in admin holds a role that may sort topics anywhere (checked before any id is looked at).</summary>
    public static bool HoldsSorterRole(NeighbourHubDbContext db) =>
        db.Scope.Value.Unrestricted || db.Scope.Value.Has(AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.CommitteeMember);

    private static void RequireSorterRole(NeighbourHubDbContext db)
    {
        if (!HoldsSorterRole(db))
        {
            throw new ForbiddenException(SortersOnly);
        }
    }

    private static void RequireSorter(TopicActor actor)
    {
        if (!actor.MaySort)
        {
            throw new ForbiddenException(SortersOnly);
        }
    }

    /// <summary>Role first (403 whatever the id), then the topic in scope (404), then the role for its estate (403).</summary>
    private async Task<(Topic Topic, TopicActor Staff)> ForSorterAsync(NeighbourHubDbContext db, long topicId, CancellationToken ct)
    {
        RequireSorterRole(db);
        var topic = await db.Topics.SingleOrDefaultAsync(t => t.Id == topicId, ct) ?? throw new NotFoundException("议题");
        var staff = await StaffAsync(db, topic.EstateId, ct);
        RequireSorter(staff);
        return (topic, staff);
    }

    /// <summary>
    /// A member of staff as the estate's residents read them: their name and what they are there (业委会, 社区, 街道,
    /// 物业, 网格员). Only the estate's committee members, its community's admins and platform admins may sort.
    /// </summary>
    public static async Task<TopicActor> StaffAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var scope = db.Scope.Value;
        if (scope.AdminUserId is not { } adminId)
        {
            return new TopicActor(null, null, "系统", scope.Unrestricted);
        }

        var communityId = await db.Estates.Where(e => e.Id == estateId).Select(e => (long?)e.CommunityId).SingleOrDefaultAsync(ct) ?? throw new NotFoundException("小区");
        var roles = await db.RoleAssignments.AsNoTracking().Where(a => a.AdminUserId == adminId).ToListAsync(ct);
        var committee = roles.Any(a => a.Role == AdminRole.CommitteeMember && a.EstateId == estateId);
        var office = roles.Any(a => a.Role == AdminRole.CommunityAdmin && a.CommunityId == communityId);
        var platform = roles.Any(a => a.Role == AdminRole.PlatformAdmin);
        var display = (await db.Users.AsNoTracking().Where(u => u.Id == adminId).Select(AdminUser.Named).SingleAsync(ct)).Name;
        var what = committee ? "业委会" : office ? "社区" : platform ? "街道" : roles.Any(a => a.Role == AdminRole.FirmStaff) ? "物业" : "网格员";
        return new TopicActor(null, adminId, Cut($"{display}（{what}）"), committee || office || platform);
    }

    /// <summary>A resident as neighbours read them: building and masked real name, e.g. "3栋 王**".</summary>
    private static async Task<TopicActor> ResidentAsync(NeighbourHubDbContext db, long residentId, long estateId, CancellationToken ct)
    {
        var home = await (from r in db.Residences
                          where r.ResidentId == residentId && r.EstateId == estateId && r.Status == ResidenceStatus.Approved
                          join h in db.Households on r.HouseholdId equals h.Id
                          join b in db.Buildings on h.BuildingId equals b.Id
                          orderby r.Id
                          select new { Building = b.Name, r.RealName }).FirstOrDefaultAsync(ct)
            ?? throw new ForbiddenException("只有本小区已认证的住户可以参与议事。");
        return new TopicActor(residentId, null, Cut($"{home.Building} {NameMasking.Mask(home.RealName)}"), false);
    }

    private static string Cut(string name) => name.Length <= 64 ? name : name[..64];

    // --- Shared steps. ---

    private static async Task<Topic> FindAsync(NeighbourHubDbContext db, long topicId, CancellationToken ct) =>
        await db.Topics.AsNoTracking().SingleOrDefaultAsync(t => t.Id == topicId, ct) ?? throw new NotFoundException("议题");

    private static void RequireDiscussable(Topic topic, string what)
    {
        if (topic.Held)
        {
            throw new ConflictException($"议题正在审核，审核通过后才能{what}。");
        }

        if (topic.Status is TopicStatus.Rejected or TopicStatus.Closed)
        {
            throw new ConflictException($"该议题已{TopicTexts.Name(topic.Status)}，不能再{what}。");
        }
    }

    private void Step(NeighbourHubDbContext db, long topicId, string action, string actor, string note) =>
        db.TopicSteps.Add(new TopicStep { TopicId = topicId, At = clock.StorableNow(), Action = action, Actor = actor, Note = note.Length <= 1000 ? note : note[..1000] });

    /// <summary>Version is the concurrency token: of two staff acting on one topic at once, the second hears 409.</summary>
    private static async Task SaveAsync(NeighbourHubDbContext db, Topic topic, CancellationToken ct)
    {
        topic.Version++;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw new ConflictException("这个议题刚刚被其他人处理过，请刷新后查看最新状态。");
        }
    }

    /// <summary>A subscribe message to the resident who raised the topic (staff-raised topics have nobody to tell).</summary>
    private async Task NotifyAsync(NeighbourHubDbContext db, Topic topic, string template, string text, CancellationToken ct)
    {
        if (topic.AuthorResidentId is not { } author)
        {
            return;
        }

        // Each of these happens once per topic (status moves forward only), so the key is the topic and the event.
        await Outbox.EnqueueAsync(db, OutboxTopics.SubscribeMessage, $"{template}:{topic.Id}",
            new SubscribeMessagePayload(author, template, $"pages/topics/detail?id={topic.Id}",
                new Dictionary<string, string> { ["thing1"] = topic.Title.Clip(20), ["phrase2"] = text }), clock, ct);
    }
}
