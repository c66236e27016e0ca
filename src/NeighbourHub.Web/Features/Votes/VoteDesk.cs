using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Features.Topics;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Votes;

public sealed record CreateVoteBody(
    long? EstateId, long? TopicId, string? Title, string? Description, IReadOnlyList<string>? Options, string? Rule,
    DateTimeOffset? NoticeAt, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt);

public sealed record BallotBody(long? OptionId);

public sealed record PaperBallotBody(long? HouseholdId, long? OptionId, string? Channel, string? ProxyName, string? ScanFileId);

/// <summary>
/// The one writer of owners' votes: creating and announcing them, opening them (the electorate frozen), ballots from
/// every channel, closing them (results, tally, transparency log, results notice) and cancelling them. Opening and
/// closing are conditional updates of the vote's row inside the transaction that does the work, so whichever
/// instance, job or request gets there first does it once and the others find it done.
/// </summary>
public sealed class VoteDesk(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    TransparencyLogs logs,
    NoticeBoard notices,
    TopicBoard topics,
    IOptions<VotingOptions> options,
    TimeProvider clock,
    ILogger<VoteDesk> log)
{
    public const int MaxOptions = 10;
    public const int MaxVoteDays = 90;
    /// <summary>How far ahead a vote may be announced (and, twice that, opened).</summary>
    public const int MaxLeadDays = 90;
    private const string AutoClosed = "到期自动结束";

    // ---------------------------------------------------------------- who

    /// <summary>
    /// Who organises an estate's votes: its committee members (业委会 / 物管会) and the community and platform admins
    /// over it. Firm staff and grid workers do not: the trustee must not run the owners' decisions about itself.
    /// Returns the name residents read.
    /// </summary>
    public static async Task<string> OrganiserAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var scope = db.Scope.Value;
        if (scope.AdminUserId is not { } adminId || !scope.CanSeeEstate(estateId))
        {
            throw new NotFoundException("小区");
        }

        var assignments = await db.RoleAssignments.AsNoTracking().Where(a => a.AdminUserId == adminId).ToListAsync(ct);
        var committee = assignments.Any(a => a.Role == AdminRole.CommitteeMember && a.EstateId == estateId);
        if (!committee && !scope.Has(AdminRole.CommunityAdmin, AdminRole.PlatformAdmin))
        {
            throw new ForbiddenException("只有本小区业委会（物管会）成员和社区工作人员可以组织业主表决、录入纸质选票。");
        }

        var name = (await db.Users.AsNoTracking().Where(u => u.Id == adminId).Select(AdminUser.Named).SingleAsync(ct)).Name;
        return $"{name}（{(committee ? "业委会" : "社区")}）";
    }

    // ---------------------------------------------------------------- create

    public async Task<Vote> CreateAsync(NeighbourHubDbContext db, CreateVoteBody? body, string? idempotencyKey, CancellationToken ct)
    {
        var now = clock.StorableNow();
        var rule = VoteRules.Parse(body?.Rule);
        var texts = body?.Options?.Select(o => o?.Trim() ?? "").ToList() ?? [];
        var noticeAt = body?.NoticeAt ?? now;
        var noticeDays = options.Value.NoticeDays;
        var v = new Validation()
            .Positive("estateId", body?.EstateId)
            .Required("title", body?.Title, 100, "表决事项")
            .Required("description", body?.Description, 5000, "事项说明")
            .When(rule is null, "rule", "表决规则只能是 simple（简单多数）、art278_ordinary（民法典第278条一般事项）或 art278_major（第278条重大事项）。")
            .When(texts.Count is < 2 or > MaxOptions, "options", $"请给出 2–{MaxOptions} 个选项，第一个是所表决的方案（如“同意”）。")
            .When(texts.Any(t => t.Length is 0 or > 100), "options", "每个选项 1–100 个字。")
            .When(texts.Distinct().Count() != texts.Count, "options", "选项不能重复。")
            .When(noticeAt < now.AddMinutes(-5), "noticeAt", "公告时间不能早于现在。")
            .When(noticeAt > now.AddDays(MaxLeadDays), "noticeAt", $"公告时间最晚在 {MaxLeadDays} 天后。")
            .When(body?.OpensAt is null, "opensAt", "请填写投票开始时间。")
            .When(body?.OpensAt > now.AddDays(2 * MaxLeadDays), "opensAt", $"投票开始时间最晚在 {2 * MaxLeadDays} 天后。")
            .When(body?.ClosesAt is null, "closesAt", "请填写投票截止时间。");
        if (v.IsValid && body?.OpensAt is { } o && body.ClosesAt is { } c)
        {
            v.When(o < noticeAt, "opensAt", "投票开始时间不能早于公告时间。")
                .When(c <= o, "closesAt", "截止时间必须晚于开始时间。")
                .When(c > o.AddDays(MaxVoteDays), "closesAt", $"投票期最长 {MaxVoteDays} 天。")
                .When(rule is VoteRule.Art278Ordinary or VoteRule.Art278Major && o < noticeAt.AddDays(noticeDays), "opensAt",
                    $"依民法典第278条表决的事项须在投票开始前至少 {noticeDays} 日公告（公告 {noticeAt.Show()}，最早 {noticeAt.AddDays(noticeDays).Show()} 开始）。");
        }

        IdempotencyKeys.Check(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var estateId = body!.EstateId!.Value;
        var organiser = await OrganiserAsync(db, estateId, ct);
        var adminId = db.Scope.Value.AdminUserId!.Value;
        if (await db.Votes.AsNoTracking().SingleOrDefaultAsync(x => x.CreatedByAdminId == adminId && x.IdempotencyKey == idempotencyKey, ct) is { } replay)
        {
            return replay;
        }

        var estateName = await db.Estates.AsNoTracking().Where(e => e.Id == estateId).Select(e => e.Name).SingleAsync(ct);
        var vote = new Vote
        {
            EstateId = estateId,
            TopicId = body.TopicId,
            Title = body.Title!.Trim(),
            Description = body.Description!.Trim(),
            Rule = rule!.Value,
            Status = VoteStatus.Announced,
            NoticeAt = noticeAt,
            OpensAt = body.OpensAt!.Value,
            ClosesAt = body.ClosesAt!.Value,
            CreatedAt = now,
            CreatedByAdminId = adminId,
            CreatedByName = organiser,
            IdempotencyKey = idempotencyKey,
        };

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Votes.Add(vote);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return await db.Votes.AsNoTracking().SingleAsync(x => x.CreatedByAdminId == adminId && x.IdempotencyKey == idempotencyKey, ct);
        }

        db.VoteOptions.AddRange(texts.Select((t, i) => new VoteOption { VoteId = vote.Id, Ordinal = i + 1, Text = t }));
        if (vote.TopicId is { } topicId)
        {
            await topics.PutToVoteAsync(db, topicId, estateId, vote.Id, organiser, ct);
        }

        // The announcement (公告): on the estate's board from noticeAt, pinned, with a subscribe message to its residents.
        var announcement = await notices.AddAsync(db, new NoticeDraft(
            NoticeScopeLevel.Estate, estateId, $"业主表决公告：{vote.Title}".Clip(100), AnnouncementText(vote, estateName, texts),
            Pinned: true, PublishAt: noticeAt, Notify: true, AttachmentFileIds: [], VoteId: vote.Id), organiser, ct);
        await db.SaveChangesAsync(ct);
        vote.AnnouncementNoticeId = announcement.Id;
        db.Audit("vote.create", nameof(Vote), vote.Id.ToString(CultureInfo.InvariantCulture), new { estateId, vote.Title, rule = VoteRules.Wire(vote.Rule), options = texts });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return vote;
    }

    private static string AnnouncementText(Vote vote, string estateName, IReadOnlyList<string> options) =>
        $"""
        {estateName}全体业主：

        现就“{vote.Title}”进行业主表决。

        {vote.Description}

        表决规则：{VoteRules.Text(vote.Rule)}
        选项：{string.Join("、", options)}
        投票时间：{vote.OpensAt.Show()} 至 {vote.ClosesAt.Show()}

        业主可在小程序“业主表决”中线上投票（共有一户的业主共投一票，拥有多户的业主投一票、面积合计），也可向业委会领取纸质选票或书面委托他人投票。投票期间只公布参与情况，结束后公布结果和全部选票的计票明细（按回执码，不含姓名和房号），每位业主可凭回执码核对自己的选票。
        """;

    // ---------------------------------------------------------------- open

    /// <summary>
    /// Opens the vote if its time has come: freezes the electorate and its totals. Runs in a context that sees the whole
    /// estate, whoever's request brought it here; returns whether this call opened it.
    /// </summary>
    public Task<bool> OpenIfDueAsync(long voteId, CancellationToken ct) => RetryCollisionsAsync(() => OpenOnceAsync(voteId, ct));

    private async Task<bool> OpenOnceAsync(long voteId, CancellationToken ct)
    {
        var now = clock.StorableNow();
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        var due = await db.Votes.AsNoTracking().AnyAsync(x => x.Id == voteId && x.Status == VoteStatus.Announced && x.OpensAt <= now, ct);
        if (!due)
        {
            return false;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var won = await db.Votes.Where(x => x.Id == voteId && x.Status == VoteStatus.Announced && x.OpensAt <= now)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, VoteStatus.Open).SetProperty(x => x.OpenedAt, now).SetProperty(x => x.Version, x => x.Version + 1), ct);
        if (won == 0)
        {
            return false;
        }

        var vote = await db.Votes.SingleAsync(x => x.Id == voteId, ct);
        var totals = await Electorate.FreezeAsync(db, vote, ct);
        vote.VotersTotal = (int)totals.Voters;
        vote.AreaTotalCenti = totals.AreaCenti;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Vote {VoteId} opened with {Voters} voters and {Area} m²", voteId, totals.Voters, VoteRules.M2(totals.AreaCenti));
        return true;
    }

    // ---------------------------------------------------------------- ballots

    /// <summary>The caller's one online ballot, covering every flat of their voter. A replay with the same key answers the first ballot.</summary>
    public async Task<(Ballot Ballot, bool Replayed)> CastAsync(NeighbourHubDbContext db, long voteId, BallotBody? body, string? idempotencyKey, CancellationToken ct)
    {
        var v = new Validation().Positive("optionId", body?.OptionId);
        IdempotencyKeys.Check(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var residentId = db.Scope.Value.ResidentId ?? throw new ForbiddenException("只有业主本人可以在线投票。");
        await OpenIfDueAsync(voteId, ct);
        var vote = await VisibleAsync(db, voteId, ct);
        RequireOpen(vote);
        var member = await db.VoterMembers.AsNoTracking().SingleOrDefaultAsync(m => m.VoteId == voteId && m.ResidentId == residentId, ct)
            ?? throw new ForbiddenException(NotAVoterText);
        await RequireOptionAsync(db, voteId, body!.OptionId!.Value, ct);
        var ballot = new Ballot
        {
            VoteId = voteId,
            EstateId = vote.EstateId,
            VoterId = member.VoterId,
            OptionId = body.OptionId.Value,
            Channel = BallotChannel.Online,
            Receipt = NewReceipt(),
            CastByResidentId = residentId,
            IdempotencyKey = idempotencyKey,
        };
        return await InsertAsync(db, vote, ballot, b => b.CastByResidentId == residentId && b.IdempotencyKey == idempotencyKey, proxyName: null, ct);
    }

    /// <summary>A paper or proxy ballot entered by staff for the voter owning the flat, with the scan of the signed ballot.</summary>
    public async Task<(Ballot Ballot, bool Replayed)> EnterPaperAsync(NeighbourHubDbContext db, long voteId, PaperBallotBody? body, string? idempotencyKey, CancellationToken ct)
    {
        var channel = body?.Channel switch { "paper" => BallotChannel.Paper, "proxy" => (BallotChannel?)BallotChannel.Proxy, _ => null };
        var v = new Validation()
            .Positive("householdId", body?.HouseholdId)
            .Positive("optionId", body?.OptionId)
            .When(channel is null, "channel", "渠道只能是 paper（纸质选票）或 proxy（委托投票）。")
            .When(string.IsNullOrWhiteSpace(body?.ScanFileId), "scanFileId", "请上传业主签字的纸质选票（或委托书）扫描件。");
        if (channel == BallotChannel.Proxy)
        {
            v.Required("proxyName", body?.ProxyName, 50, "受托人姓名");
        }

        IdempotencyKeys.Check(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var vote = await VisibleAsync(db, voteId, ct);
        var organiser = await OrganiserAsync(db, vote.EstateId, ct);
        await OpenIfDueAsync(voteId, ct);
        vote = await VisibleAsync(db, voteId, ct);
        RequireOpen(vote);
        var adminId = db.Scope.Value.AdminUserId!.Value;
        var flat = await db.VoterFlats.AsNoTracking().SingleOrDefaultAsync(f => f.VoteId == voteId && f.HouseholdId == body!.HouseholdId, ct)
            ?? throw new DomainValidationException("householdId", "该户不在本次表决的业主名册中。");

        await RequireOptionAsync(db, voteId, body!.OptionId!.Value, ct);
        var scan = body.ScanFileId!.Trim();
        var usable = await FileService.Unattached(db, db.StoredFiles.Where(f => f.Id == scan && f.UploadedByAdminId == adminId)).AnyAsync(ct);
        if (!usable && !await db.Ballots.AnyAsync(b => b.VoteId == voteId && b.ScanFileId == scan && b.EnteredByAdminId == adminId && b.IdempotencyKey == idempotencyKey, ct))
        {
            throw new DomainValidationException("scanFileId", "扫描件不存在、不是您上传的或已用于其他记录，请重新上传。");
        }

        var ballot = new Ballot
        {
            VoteId = voteId,
            EstateId = vote.EstateId,
            VoterId = flat.VoterId,
            OptionId = body.OptionId.Value,
            Channel = channel!.Value,
            Receipt = NewReceipt(),
            EnteredByAdminId = adminId,
            EnteredByName = organiser,
            HouseholdId = flat.HouseholdId,
            ProxyName = channel == BallotChannel.Proxy ? body.ProxyName!.Trim() : null,
            ScanFileId = scan,
            IdempotencyKey = idempotencyKey,
        };
        return await InsertAsync(db, vote, ballot, b => b.EnteredByAdminId == adminId && b.IdempotencyKey == idempotencyKey, ballot.ProxyName, ct);
    }

    /// <summary>
    /// Inserts the voter's one ballot. The vote's row is updated first (turnout), conditionally on it being open and
    /// before its close: that takes the row's lock, so a closing count never misses a committed ballot and no ballot
    /// lands after it; the unique key (vote, voter) then lets exactly one of racing ballots of a voter in.
    /// </summary>
    private async Task<(Ballot, bool)> InsertAsync(
        NeighbourHubDbContext db, Vote vote, Ballot ballot, System.Linq.Expressions.Expression<Func<Ballot, bool>> sameRequest, string? proxyName, CancellationToken ct)
    {
        if (await ExistingAsync(db, vote.Id, ballot.VoterId, ct) is { } existing)
        {
            return await ReplayOrConflictAsync(db, vote.Id, existing, sameRequest, ct);
        }

        var area = await db.Voters.Unscoped(Because.VotersOwnBallot).Where(x => x.Id == ballot.VoterId).Select(x => x.AreaCenti).SingleAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.StorableNow();
            ballot.CastAt = now;
            ballot.AreaCenti = area;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var open = await db.Votes.Where(x => x.Id == vote.Id && x.Status == VoteStatus.Open && x.ClosesAt > now)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.BallotsCast, x => x.BallotsCast + 1)
                    .SetProperty(x => x.AreaCastCenti, x => x.AreaCastCenti + area).SetProperty(x => x.Version, x => x.Version + 1), ct);
            if (open == 0)
            {
                await tx.RollbackAsync(ct);
                var current = await db.Votes.AsNoTracking().SingleAsync(x => x.Id == vote.Id, ct);
                throw new ConflictException(current.Status == VoteStatus.Announced ? NotOpenText(current) : $"表决已于 {(current.ClosedAt ?? current.ClosesAt).Show()} 结束，不能再投票。");
            }

            if (proxyName is not null)
            {
                var held = await db.Ballots.Unscoped(Because.VotersOwnBallot)
                    .CountAsync(b => b.VoteId == vote.Id && b.Channel == BallotChannel.Proxy && b.ProxyName == proxyName, ct);
                if (held >= options.Value.MaxProxiesPerPerson)
                {
                    await tx.RollbackAsync(ct);
                    throw new ConflictException($"{proxyName} 在本次表决中已代理 {held} 户业主，每人最多代理 {options.Value.MaxProxiesPerPerson} 户。");
                }
            }

            db.Ballots.Add(ballot);
            try
            {
                await db.SaveChangesAsync(ct);
                if (ballot.EnteredByAdminId is not null)
                {
                    // Which flat, how and by whom — never the option, which stays secret until the count.
                    db.Audit("vote.paper_ballot", nameof(Vote), vote.Id.ToString(CultureInfo.InvariantCulture),
                        new { householdId = ballot.HouseholdId, channel = TallyLine.Wire(ballot.Channel), proxyName = ballot.ProxyName, ballot.ScanFileId });
                    await db.SaveChangesAsync(ct);
                }

                await tx.CommitAsync(ct);
                return (ballot, false);
            }
            catch (DbUpdateException) when (!ct.IsCancellationRequested)
            {
                await tx.RollbackAsync(ct);
                db.Entry(ballot).State = EntityState.Detached;
                if (await ExistingAsync(db, vote.Id, ballot.VoterId, ct) is { } winner)
                {
                    return await ReplayOrConflictAsync(db, vote.Id, winner, sameRequest, ct);
                }

                if (attempt > 0)
                {
                    throw;
                }

                ballot.Receipt = NewReceipt(); // the only other unique key: a receipt drawn twice
            }
        }
    }

    private static Task<Ballot?> ExistingAsync(NeighbourHubDbContext db, long voteId, long voterId, CancellationToken ct) =>
        db.Ballots.Unscoped(Because.VotersOwnBallot).AsNoTracking().SingleOrDefaultAsync(b => b.VoteId == voteId && b.VoterId == voterId, ct);

    private static async Task<(Ballot, bool)> ReplayOrConflictAsync(
        NeighbourHubDbContext db, long voteId, Ballot existing, System.Linq.Expressions.Expression<Func<Ballot, bool>> sameRequest, CancellationToken ct)
    {
        if (await db.Ballots.Unscoped(Because.VotersOwnBallot).Where(b => b.Id == existing.Id).AnyAsync(sameRequest, ct))
        {
            return (existing, true);
        }

        throw new ConflictException($"该业主已于 {existing.CastAt.Show()} {HowText(existing)}，每位业主只能投一次票。");
    }

    /// <summary>How a ballot was cast, as the voter and staff read it (never its option).</summary>
    public static string HowText(Ballot b) => b.Channel switch
    {
        BallotChannel.Online => "在线投票",
        BallotChannel.Paper => "提交纸质选票（工作人员录入）",
        _ => $"委托{b.ProxyName}投票（工作人员录入）",
    };

    private static string NotOpenText(Vote vote) => $"投票将于 {vote.OpensAt.Show()} 开始，请届时再投。";

    public const string NotAVoterText = "您不在本次表决的业主名册中：名册在投票开始时按已认证的业主冻结。如有异议请联系业委会。";

    private static void RequireOpen(Vote vote)
    {
        switch (vote.Status)
        {
            case VoteStatus.Announced:
                throw new ConflictException(NotOpenText(vote));
            case VoteStatus.Closed:
                throw new ConflictException($"表决已于 {vote.ClosedAt.Show()} 结束，不能再投票。");
            case VoteStatus.Cancelled:
                throw new ConflictException("表决已取消。");
        }
    }

    private static async Task RequireOptionAsync(NeighbourHubDbContext db, long voteId, long optionId, CancellationToken ct)
    {
        if (!await db.VoteOptions.AnyAsync(o => o.Id == optionId && o.VoteId == voteId, ct))
        {
            throw new DomainValidationException("optionId", "请选择本次表决的一个选项。");
        }
    }

    private Task<Vote> VisibleAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct) => VoteQueries.VisibleAsync(db, voteId, clock.GetUtcNow(), ct);

    /// <summary>Eight characters without 0/O, 1/I/L (read aloud and typed on phones), e.g. "K7QM3XPA".</summary>
    private static string NewReceipt() => Texts.ReadableCode(8);

    // ---------------------------------------------------------------- close

    /// <summary>
    /// Staff close a vote. An art. 278 vote runs its whole announced period unless every voter has voted (closing it
    /// early would shut out owners who relied on the announcement); a simple poll may be closed at any time once open.
    /// </summary>
    public async Task CloseByStaffAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        var vote = await VisibleAsync(db, voteId, ct);
        var organiser = await OrganiserAsync(db, vote.EstateId, ct);
        await OpenIfDueAsync(voteId, ct);
        vote = await VisibleAsync(db, voteId, ct);
        var now = clock.GetUtcNow();
        switch (vote.Status)
        {
            case VoteStatus.Announced:
                throw new ConflictException($"投票尚未开始（{vote.OpensAt.Show()} 开始），不能结束；如需撤销请取消表决。");
            case VoteStatus.Closed or VoteStatus.Cancelled:
                throw new ConflictException(vote.Status == VoteStatus.Closed ? "表决已经结束。" : "表决已取消。");
        }

        if (vote.Rule != VoteRule.Simple && now < vote.ClosesAt && vote.BallotsCast < vote.VotersTotal)
        {
            throw new ConflictException($"依民法典第278条的表决须进行到公告的截止时间（{vote.ClosesAt.Show()}），除非全体业主均已投票（已投 {vote.BallotsCast} / {vote.VotersTotal}）。");
        }

        if (!await CloseAsync(voteId, organiser, dueOnly: false, ct))
        {
            throw new ConflictException("表决已经结束。");
        }

        db.Audit("vote.close", nameof(Vote), voteId.ToString(CultureInfo.InvariantCulture), new { vote.EstateId });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Counts and publishes: results, the tally committed to the vote's transparency log with a signed head, the results
    /// notice (公示), and the topic's decision. One conditional update of the vote's row decides who closes it; the
    /// count runs under that row's lock, after every ballot that got in. Returns whether this call closed it.
    /// </summary>
    public Task<bool> CloseAsync(long voteId, string closedBy, bool dueOnly, CancellationToken ct) =>
        RetryCollisionsAsync(() => CloseOnceAsync(voteId, closedBy, dueOnly, ct));

    private async Task<bool> CloseOnceAsync(long voteId, string closedBy, bool dueOnly, CancellationToken ct)
    {
        var now = clock.StorableNow();
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        await using var tx = await TransparencyLogs.BeginAppendingAsync(db, ct);
        var won = await db.Votes.Where(x => x.Id == voteId && x.Status == VoteStatus.Open && (!dueOnly || x.ClosesAt <= now))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, VoteStatus.Closed).SetProperty(x => x.ClosedAt, now)
                .SetProperty(x => x.ClosedBy, closedBy).SetProperty(x => x.Version, x => x.Version + 1), ct);
        if (won == 0)
        {
            return false;
        }

        var vote = await db.Votes.SingleAsync(x => x.Id == voteId, ct);
        var voteOptions = await db.VoteOptions.Where(o => o.VoteId == voteId).OrderBy(o => o.Ordinal).ToListAsync(ct);
        var lines = (await db.Ballots.AsNoTracking().Where(b => b.VoteId == voteId)
                .Select(b => new { b.Receipt, b.OptionId, b.AreaCenti, b.Channel }).ToListAsync(ct))
            .Select(b => new TallyLine(b.Receipt, b.OptionId, b.AreaCenti, 1, TallyLine.Wire(b.Channel)))
            .OrderBy(l => l.Receipt, StringComparer.Ordinal)
            .ToList();

        var weights = voteOptions.Select(o => lines.Where(l => l.OptionId == o.Id).Aggregate(default(Weight), (w, l) => w + new Weight(l.Voters, l.AreaCenti))).ToList();
        var outcome = VoteRules.Decide(vote.Rule, new Weight(vote.VotersTotal, vote.AreaTotalCenti), weights);
        for (var i = 0; i < voteOptions.Count; i++)
        {
            voteOptions[i].Voters = (int)weights[i].Voters;
            voteOptions[i].AreaCenti = weights[i].AreaCenti;
        }

        vote.Passed = outcome.Passed;
        vote.QuorumMet = outcome.QuorumMet;

        // The tally, committed: anyone holding the signed head can check every line, and a changed ballot shows.
        var tally = await logs.OpenAsync(db, VoteLeaf.LogKind, voteId, ct);
        var size = await logs.LockAsync(db, tally.Id, ct);
        if (size != 0)
        {
            throw new InvalidOperationException($"The tally log of vote {voteId} already holds {size} leaves.");
        }

        if (lines.Count > 0)
        {
            // A vote nobody voted in keeps the log's signed empty head.
            await logs.AppendAsync(db, tally, size, lines.Select(l => VoteLeaf.Hash(voteId, l)).ToList(), ct);
        }

        vote.TallyLogId = tally.Id;
        vote.TallySize = lines.Count;

        var estateName = await db.Estates.Where(e => e.Id == vote.EstateId).Select(e => e.Name).SingleAsync(ct);
        var outcomeText = OutcomeText(vote, outcome);
        var notice = await notices.AddAsync(db, new NoticeDraft(
            NoticeScopeLevel.Estate, vote.EstateId, $"表决结果公示：{vote.Title}".Clip(100), ResultText(vote, estateName, voteOptions, outcome, outcomeText),
            Pinned: true, PublishAt: now, Notify: true, AttachmentFileIds: [], KeepUntil: now.AddDays(options.Value.ResultNoticeDays), VoteId: voteId), closedBy, ct);
        if (vote.TopicId is { } topicId)
        {
            await topics.DecideByVoteAsync(db, topicId, outcomeText, ct);
        }

        await db.SaveChangesAsync(ct);
        vote.ResultNoticeId = notice.Id;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        log.LogInformation("Vote {VoteId} closed by {ClosedBy}: {Ballots} ballots, passed {Passed}", voteId, closedBy, lines.Count, outcome.Passed);
        return true;
    }

    /// <summary>
    /// Opening and closing each run in a transaction of their own; when instances collide on the vote's row and its
    /// status index, InnoDB may pick one as a deadlock victim and roll it back whole. Trying again then finds the
    /// work done (false) or does it.
    /// </summary>
    private static async Task<bool> RetryCollisionsAsync(Func<Task<bool>> once)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await once();
            }
            catch (Exception e) when (attempt < 4 && DatabaseCollisions.IsCollision(e))
            {
                await Task.Delay(Random.Shared.Next(10, 50) * attempt);
            }
        }
    }

    /// <summary>The job's tick: opens the votes whose time has come and closes those past their end. Returns how many it closed.</summary>
    public async Task<int> RunClockAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<long> opening, closing;
        await using (var db = contexts.CreateDbContext())
        {
            db.Scope = CurrentScope.For(AccessScope.System);
            opening = await db.Votes.AsNoTracking().Where(x => x.Status == VoteStatus.Announced && x.OpensAt <= now).Select(x => x.Id).ToListAsync(ct);
            closing = await db.Votes.AsNoTracking().Where(x => (x.Status == VoteStatus.Open || x.Status == VoteStatus.Announced) && x.ClosesAt <= now)
                .Select(x => x.Id).ToListAsync(ct);
        }

        foreach (var id in opening)
        {
            await OpenIfDueAsync(id, ct);
        }

        var closed = 0;
        foreach (var id in closing)
        {
            closed += await CloseAsync(id, AutoClosed, dueOnly: true, ct) ? 1 : 0;
        }

        return closed;
    }

    private static string OutcomeText(Vote vote, VoteOutcome outcome) =>
        !outcome.QuorumMet ? "未通过：参与表决的业主未达到专有部分面积和人数“双三分之二”。"
        : outcome.Passed ? "通过。"
        : "未通过：同意票未达到规定比例。";

    private static string ResultText(Vote vote, string estateName, IReadOnlyList<VoteOption> voteOptions, VoteOutcome outcome, string outcomeText)
    {
        var lines = string.Join("\n", voteOptions.Select(o => $"　{o.Text}：{o.Voters} 人，{VoteRules.M2(o.AreaCenti ?? 0):0.00} m²"));
        return $"""
            {estateName}全体业主：

            “{vote.Title}”的表决已于 {vote.ClosedAt.Show()} 结束，结果如下。

            表决规则：{VoteRules.Text(vote.Rule)}
            业主总数 {vote.VotersTotal} 人，专有部分总面积 {VoteRules.M2(vote.AreaTotalCenti):0.00} m²；
            参与表决 {outcome.Participation.Voters} 人，{VoteRules.M2(outcome.Participation.AreaCenti):0.00} m²。
            {lines}

            结果：{outcomeText}

            全部选票的计票明细（按回执码，不含姓名和房号）已随签名的树头公开，业主可在小程序中凭回执码核对自己的选票，任何人都可以重新计票。本公示期不少于 15 日。
            """;
    }

    // ---------------------------------------------------------------- cancel

    /// <summary>Cancels a vote before it opens (after that it runs to its count). The reason is shown to residents.</summary>
    public async Task CancelAsync(NeighbourHubDbContext db, long voteId, string? reason, CancellationToken ct)
    {
        var v = new Validation().Required("reason", reason, 200, "取消原因");
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var vote = await VisibleAsync(db, voteId, ct);
        var organiser = await OrganiserAsync(db, vote.EstateId, ct);
        var now = clock.StorableNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var won = await db.Votes.Where(x => x.Id == voteId && x.Status == VoteStatus.Announced && x.OpensAt > now)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, VoteStatus.Cancelled).SetProperty(x => x.CancelledAt, now)
                .SetProperty(x => x.CancelReason, reason!.Trim()).SetProperty(x => x.Version, x => x.Version + 1), ct);
        if (won == 0)
        {
            throw new ConflictException("只能在投票开始前取消表决；投票开始后须进行到计票。");
        }

        if (vote.NoticeAt <= now)
        {
            await notices.AddAsync(db, new NoticeDraft(NoticeScopeLevel.Estate, vote.EstateId, $"取消表决：{vote.Title}".Clip(100),
                $"原定于 {vote.OpensAt.Show()} 开始的“{vote.Title}”表决已取消。原因：{reason!.Trim()}", Pinned: false, PublishAt: now, Notify: true, AttachmentFileIds: [], VoteId: voteId),
                organiser, ct);
        }

        db.Audit("vote.cancel", nameof(Vote), voteId.ToString(CultureInfo.InvariantCulture), new { reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}

/// <summary>Opens and closes votes on time, on every instance; the conditional updates make each happen once.</summary>
public sealed class VoteClockJob(VoteDesk desk, IOptions<VotingOptions> options, TimeProvider clock, ILogger<VoteClockJob> log) : PeriodicJob(clock, log)
{
    protected override double IntervalSeconds => options.Value.PollSeconds;

    protected override Task RunTickAsync(CancellationToken ct) => desk.RunClockAsync(ct);
}
