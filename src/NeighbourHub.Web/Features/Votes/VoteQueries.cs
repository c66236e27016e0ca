using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Votes;

public sealed record VoteOptionView(long Id, string Text);

public sealed record TurnoutView(int Voters, int VotersTotal, decimal AreaM2, decimal AreaTotalM2);

public sealed record ParticipationView(long Voters, int VotersTotal, decimal AreaM2, decimal AreaTotalM2, bool QuorumMet);

public sealed record OptionResultView(long Id, string Text, int Voters, decimal AreaM2);

/// <summary>API.md's results: counts and areas, never rounded shares, so anyone can redo the arithmetic.</summary>
public sealed record ResultsView(bool Passed, string Rule, ParticipationView Participation, IReadOnlyList<OptionResultView> Options, DateTimeOffset DecidedAt);

/// <summary>A vote's signed tally head: hashes in lowercase hex, the timestamp exactly as signed.</summary>
public sealed record TallyHeadView(long VoteId, long TreeSize, string RootHash, string Timestamp, string KeyId, string Signature);

public sealed record VoteView(
    long Id, long EstateId, string EstateName, long? TopicId, string Title, string Description, string Rule, string RuleText,
    IReadOnlyList<VoteOptionView> Options, DateTimeOffset NoticeAt, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string Status, string StatusText,
    TurnoutView Turnout, ResultsView? Results, string CreatedBy, string? ClosedBy, string? CancelReason, long? AnnouncementNoticeId, long? ResultNoticeId);

public sealed record BallotFlatView(long HouseholdId, string Address, decimal AreaM2);

public sealed record MyBallotView(bool CanVote, string? Reason, IReadOnlyList<BallotFlatView> Flats, DateTimeOffset? VotedAt, string? Channel, string? Receipt);

public sealed record TallyItemView(string Receipt, long OptionId, decimal AreaM2, int Voters, string Channel);

public sealed record TallyView(long VoteId, IReadOnlyList<TallyItemView> Items, long Total, TallyHeadView Head, ResultsView Results);

public sealed record TallyProofView(string Receipt, long Index, string Leaf, string LeafHash, IReadOnlyList<string> Path, TallyHeadView Head);

/// <summary>Turnout of one building: how many of its flats' voters have voted (never how).</summary>
public sealed record BuildingTurnoutView(long BuildingId, string Building, int Flats, int VotedFlats);

/// <summary>A flat of the electorate as staff see it to enter paper ballots: whether its voter voted, when and how — never the option.</summary>
public sealed record ElectorateFlatView(long HouseholdId, string Address, decimal AreaM2, long VoterId, string Owners, bool Voted, DateTimeOffset? VotedAt, string? How);

/// <summary>A topic to put to the vote, as the create form prefills it.</summary>
public sealed record TopicPrefillView(long Id, long EstateId, string Title, string Body);

/// <summary>One page of a published tally, filtered by receipt, with the signed head and the results it came with.</summary>
public sealed record TallyPageView(IReadOnlyList<TallyItemView> Items, int Page, int PageSize, long Matching, long Total, TallyHeadView Head, ResultsView Results);

public sealed record VoterRow(int No, string Flats, string Owners, int FlatCount, decimal AreaM2, bool IsDeveloper);

/// <summary>
/// Every read of owners' votes, for the API and the console alike. While a vote is open nothing here returns a
/// per-option number: options come without counts, the tally and results answer 409 until the count.
/// </summary>
public sealed class VoteQueries(TransparencyLogs logs, TimeProvider clock)
{
    public static string Wire(VoteStatus s) => s.ToString().ToLowerInvariant();

    public static string Text(VoteStatus s) => s switch
    {
        VoteStatus.Announced => "已公告，待投票",
        VoteStatus.Open => "投票中",
        VoteStatus.Closed => "已结束",
        _ => "已取消",
    };

    public async Task<Paged<VoteView>> ListAsync(NeighbourHubDbContext db, long? estateId, VoteStatus? status, int page, int pageSize, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var resident = db.Scope.Value.ResidentId is not null;
        var query = db.Votes.AsNoTracking().Where(v => !resident || v.NoticeAt <= now);
        if (estateId is { } e)
        {
            query = query.Where(v => v.EstateId == e);
        }

        if (status is { } s)
        {
            query = query.Where(v => v.Status == s);
        }

        var votes = await query.OrderByDescending(v => v.Status == VoteStatus.Open).ThenByDescending(v => v.OpensAt).ThenByDescending(v => v.Id).ToPageAsync(page, pageSize, ct);
        var views = new List<VoteView>();
        foreach (var v in votes.Items)
        {
            views.Add(await ViewAsync(db, v, ct));
        }

        return new Paged<VoteView>(views, votes.Page, votes.PageSize, votes.Total);
    }

    public async Task<VoteView> DetailAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct) => await ViewAsync(db, await FindAsync(db, voteId, ct), ct);

    /// <summary>The vote the caller sees: residents only once announced.</summary>
    public Task<Vote> FindAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct) => VisibleAsync(db, voteId, clock.GetUtcNow(), ct);

    /// <summary>The one rule of who sees a vote: its estate's staff and residents (tenancy), residents only from its announcement.</summary>
    public static async Task<Vote> VisibleAsync(NeighbourHubDbContext db, long voteId, DateTimeOffset now, CancellationToken ct)
    {
        var vote = await db.Votes.AsNoTracking().SingleOrDefaultAsync(v => v.Id == voteId, ct);
        return vote is null || (db.Scope.Value.ResidentId is not null && vote.NoticeAt > now) ? throw new NotFoundException("表决") : vote;
    }

    private async Task<VoteView> ViewAsync(NeighbourHubDbContext db, Vote v, CancellationToken ct)
    {
        var estate = await db.Estates.AsNoTracking().Unscoped(Because.DetailsOfARowInScope).Where(e => e.Id == v.EstateId).Select(e => e.Name).SingleAsync(ct);
        var options = await db.VoteOptions.AsNoTracking().Where(o => o.VoteId == v.Id).OrderBy(o => o.Ordinal).ToListAsync(ct);
        return new VoteView(
            v.Id, v.EstateId, estate, v.TopicId, v.Title, v.Description, VoteRules.Wire(v.Rule), VoteRules.Text(v.Rule),
            options.Select(o => new VoteOptionView(o.Id, o.Text)).ToList(), v.NoticeAt.ToChina(), v.OpensAt.ToChina(), v.ClosesAt.ToChina(), Wire(v.Status), Text(v.Status),
            new TurnoutView(v.BallotsCast, v.VotersTotal, VoteRules.M2(v.AreaCastCenti), VoteRules.M2(v.AreaTotalCenti)),
            v.Status == VoteStatus.Closed ? Results(v, options) : null,
            v.CreatedByName, v.ClosedBy, v.CancelReason, v.AnnouncementNoticeId, v.ResultNoticeId);
    }

    /// <summary>The published results of a closed vote, from the counts stored at closing.</summary>
    public static ResultsView Results(Vote v, IReadOnlyList<VoteOption> options)
    {
        if (v.Status != VoteStatus.Closed)
        {
            throw new ConflictException("投票结束后才公布各选项的票数和面积；投票期间只公布参与情况。");
        }

        var optionViews = options.OrderBy(o => o.Ordinal).Select(o => new OptionResultView(o.Id, o.Text, o.Voters ?? 0, VoteRules.M2(o.AreaCenti ?? 0))).ToList();
        var participation = new ParticipationView(v.BallotsCast, v.VotersTotal, VoteRules.M2(v.AreaCastCenti), VoteRules.M2(v.AreaTotalCenti), v.QuorumMet ?? false);
        return new ResultsView(v.Passed ?? false, VoteRules.Wire(v.Rule), participation, optionViews, (v.ClosedAt ?? v.ClosesAt).ToChina());
    }

    public async Task<MyBallotView> MyBallotAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        var vote = await FindAsync(db, voteId, ct);
        var residentId = db.Scope.Value.ResidentId ?? -1;
        if (vote.Status == VoteStatus.Announced)
        {
            return new MyBallotView(false, $"投票将于 {vote.OpensAt.Show()} 开始；业主名册在开始时冻结。", [], null, null, null);
        }

        if (vote.Status == VoteStatus.Cancelled)
        {
            return new MyBallotView(false, "表决已取消。", [], null, null, null);
        }

        var member = await db.VoterMembers.AsNoTracking().SingleOrDefaultAsync(m => m.VoteId == voteId && m.ResidentId == residentId, ct);
        if (member is null)
        {
            return new MyBallotView(false, VoteDesk.NotAVoterText, [], null, null, null);
        }

        var flats = await (
                from f in db.VoterFlats.Unscoped(Because.VotersOwnBallot).AsNoTracking()
                where f.VoterId == member.VoterId
                join h in db.Households on f.HouseholdId equals h.Id
                join b in db.Buildings on h.BuildingId equals b.Id
                join u in db.Units on h.UnitId equals u.Id
                orderby b.Name, u.Name, h.Room
                select new { f.HouseholdId, Address = b.Name + u.Name + h.Room, f.AreaCenti })
            .ToListAsync(ct);
        var ballot = await db.Ballots.Unscoped(Because.VotersOwnBallot).AsNoTracking()
            .Where(b => b.VoteId == voteId && b.VoterId == member.VoterId)
            .Select(b => new { b.CastAt, b.Channel, b.Receipt, b.ProxyName })
            .SingleOrDefaultAsync(ct);
        var open = vote.Status == VoteStatus.Open && clock.GetUtcNow() < vote.ClosesAt;
        var reason = ballot is not null ? $"您家已于 {ballot.CastAt.Show()} {TallyLine.Text(ballot.Channel)}，每位业主只能投一次。"
            : !open ? "表决已结束。"
            : null;
        return new MyBallotView(
            open && ballot is null, reason,
            flats.Select(f => new BallotFlatView(f.HouseholdId, f.Address, VoteRules.M2(f.AreaCenti))).ToList(),
            ballot?.CastAt.ToChina(), ballot is null ? null : TallyLine.Wire(ballot.Channel), ballot?.Receipt);
    }

    /// <summary>The published tally: every ballot by receipt, with the signed head it was committed under.</summary>
    public async Task<TallyView> TallyAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        var (vote, lines, head) = await PublishedAsync(db, voteId, ct);
        var options = await db.VoteOptions.AsNoTracking().Where(o => o.VoteId == voteId).ToListAsync(ct);
        return new TallyView(voteId, lines.Select(l => new TallyItemView(l.Receipt, l.OptionId, l.AreaM2, l.Voters, l.Channel)).ToList(), lines.Count,
            head, Results(vote, options));
    }

    /// <summary>A voter's own line with its inclusion proof under the signed head (RFC 9162 audit path).</summary>
    public async Task<TallyProofView> ProofAsync(NeighbourHubDbContext db, long voteId, string? receipt, CancellationToken ct)
    {
        var code = receipt?.Trim().ToUpperInvariant() ?? "";
        if (code.Length is 0 or > 16)
        {
            throw new DomainValidationException("receipt", "请填写回执码（8 位）。");
        }

        var (_, lines, head) = await PublishedAsync(db, voteId, ct);
        var index = lines.FindIndex(l => l.Receipt == code);
        if (index < 0)
        {
            throw new NotFoundException("该回执码");
        }

        var path = await logs.InclusionPathAsync(db, (await LogIdAsync(db, voteId, ct)), index, head.TreeSize, ct);
        var leaf = VoteLeaf.Bytes(voteId, lines[index]);
        return new TallyProofView(code, index, System.Text.Encoding.UTF8.GetString(leaf), Convert.ToHexStringLower(MerkleTree.LeafHash(leaf)),
            path.Select(Convert.ToHexStringLower).ToList(), head);
    }

    /// <summary>
    /// Recomputes the tally's root from the ballots as stored now and compares it with the signed head: false means a
    /// ballot was changed, added or removed after the count (or the head was forged).
    /// </summary>
    public async Task<bool> TallyIntactAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        var (vote, lines, head) = await PublishedAsync(db, voteId, ct);
        var stored = await db.TransparencyHeads.AsNoTracking().SingleAsync(h => h.LogId == vote.TallyLogId && h.TreeSize == head.TreeSize, ct);
        var root = Convert.ToHexStringLower(TransparencyLogs.RootOf(lines.Select(l => VoteLeaf.Hash(voteId, l)).ToList()));
        return lines.Count == head.TreeSize && root == head.RootHash && logs.VerifyHead(VoteLeaf.LogKind, stored, voteId);
    }

    private async Task<long> LogIdAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct) =>
        await db.Votes.AsNoTracking().Where(v => v.Id == voteId).Select(v => v.TallyLogId).SingleAsync(ct) ?? throw new ConflictException("计票明细尚未公布。");

    private async Task<(Vote Vote, List<TallyLine> Lines, TallyHeadView Head)> PublishedAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        var vote = await FindAsync(db, voteId, ct);
        if (vote.Status != VoteStatus.Closed || vote.TallyLogId is not { } logId)
        {
            throw new ConflictException("投票结束后才公布计票明细；投票期间只公布参与情况。");
        }

        var lines = (await db.Ballots.Unscoped(Because.PublishedTally).AsNoTracking().Where(b => b.VoteId == voteId)
                .Select(b => new { b.Receipt, b.OptionId, b.AreaCenti, b.Channel }).ToListAsync(ct))
            .Select(b => new TallyLine(b.Receipt, b.OptionId, b.AreaCenti, 1, TallyLine.Wire(b.Channel)))
            .OrderBy(l => l.Receipt, StringComparer.Ordinal)
            .ToList();
        var head = await logs.HeadAsync(db, logId, vote.TallySize, ct) ?? throw new InvalidOperationException($"Vote {voteId} has no tally head of size {vote.TallySize}.");
        return (vote, lines, new TallyHeadView(voteId, head.TreeSize, head.RootHash, head.Timestamp, head.KeyId, head.Signature));
    }

    /// <summary>One page of the published tally, optionally only the receipts containing <paramref name="receipt"/> (409 while open).</summary>
    public async Task<TallyPageView> TallyPageAsync(NeighbourHubDbContext db, long voteId, string? receipt, int page, int pageSize, CancellationToken ct)
    {
        var tally = await TallyAsync(db, voteId, ct);
        var code = receipt?.Trim().ToUpperInvariant() ?? "";
        var matching = tally.Items.Where(i => code.Length == 0 || i.Receipt.Contains(code, StringComparison.Ordinal)).ToList();
        var size = Math.Clamp(pageSize, 1, 200);
        var last = Math.Max(1, (matching.Count + size - 1) / size);
        var p = Math.Clamp(page, 1, last);
        return new TallyPageView(matching.Skip((p - 1) * size).Take(size).ToList(), p, size, matching.Count, tally.Total, tally.Head, tally.Results);
    }

    /// <summary>The topic (in the caller's scope) a new vote is to decide, for the create form; null when not found.</summary>
    public static async Task<TopicPrefillView?> TopicPrefillAsync(NeighbourHubDbContext db, long topicId, CancellationToken ct) =>
        await db.Topics.AsNoTracking().Where(t => t.Id == topicId).Select(t => new TopicPrefillView(t.Id, t.EstateId, t.Title, t.Body)).SingleOrDefaultAsync(ct);

    // ---------------------------------------------------------------- staff

    /// <summary>Turnout per building (flats whose voter has voted), for the live chart while the vote is open.</summary>
    public async Task<List<BuildingTurnoutView>> TurnoutByBuildingAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        await FindAsync(db, voteId, ct);
        var rows = await (
                from f in db.VoterFlats.AsNoTracking()
                where f.VoteId == voteId
                join h in db.Households on f.HouseholdId equals h.Id
                join b in db.Buildings on h.BuildingId equals b.Id
                select new { b.Id, b.Name, Voted = db.Ballots.Any(x => x.VoteId == voteId && x.VoterId == f.VoterId) })
            .ToListAsync(ct);
        return rows.GroupBy(r => (r.Id, r.Name)).OrderBy(g => g.Key.Name, StringComparer.Ordinal)
            .Select(g => new BuildingTurnoutView(g.Key.Id, g.Key.Name, g.Count(), g.Count(r => r.Voted))).ToList();
    }

    /// <summary>The electorate's flats, filtered by address, for entering paper ballots.</summary>
    public async Task<List<ElectorateFlatView>> FlatsAsync(NeighbourHubDbContext db, long voteId, string? keyword, int take, CancellationToken ct)
    {
        await FindAsync(db, voteId, ct);
        var k = keyword?.Trim() ?? "";
        var rows = await (
                from f in db.VoterFlats.AsNoTracking()
                where f.VoteId == voteId
                join voter in db.Voters on f.VoterId equals voter.Id
                join h in db.Households on f.HouseholdId equals h.Id
                join b in db.Buildings on h.BuildingId equals b.Id
                join u in db.Units on h.UnitId equals u.Id
                let address = b.Name + u.Name + h.Room
                where k == "" || address.Contains(k)
                orderby b.Name, u.Name, h.Room
                select new
                {
                    f.HouseholdId,
                    Address = address,
                    f.AreaCenti,
                    f.VoterId,
                    voter.Owners,
                    Ballot = db.Ballots.Where(x => x.VoteId == voteId && x.VoterId == f.VoterId).Select(x => new { x.CastAt, x.Channel, x.ProxyName }).FirstOrDefault(),
                })
            .Take(Math.Clamp(take, 1, 500))
            .ToListAsync(ct);
        // Names masked as in every list; the electorate export for filing carries them whole.
        return rows.Select(r => new ElectorateFlatView(r.HouseholdId, r.Address, VoteRules.M2(r.AreaCenti), r.VoterId,
            string.Join("、", r.Owners.Split('、').Select(n => n.StartsWith('（') || n == "开发建设单位" ? n : Identity.NameMasking.Mask(n))), r.Ballot is not null,
            r.Ballot?.CastAt.ToChina(), r.Ballot is null ? null : r.Ballot.Channel == BallotChannel.Proxy ? $"委托{r.Ballot.ProxyName}投票" : TallyLine.Text(r.Ballot.Channel))).ToList();
    }

    /// <summary>The frozen electorate for the street office's filing.</summary>
    public async Task<List<VoterRow>> ElectorateAsync(NeighbourHubDbContext db, long voteId, CancellationToken ct)
    {
        var vote = await FindAsync(db, voteId, ct);
        if (vote.Status is VoteStatus.Announced or VoteStatus.Cancelled)
        {
            throw new ConflictException("业主名册在投票开始时冻结，开始后才能导出。");
        }

        var voters = await db.Voters.AsNoTracking().Where(x => x.VoteId == voteId).OrderBy(x => x.Id).ToListAsync(ct);
        return voters.Select((x, i) => new VoterRow(i + 1, x.Flats, x.Owners, x.FlatCount, VoteRules.M2(x.AreaCenti), x.IsDeveloper)).ToList();
    }
}
