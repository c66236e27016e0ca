using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Topics;

public sealed record TopicStepView(DateTimeOffset At, string Action, string ActionName, string Actor, string Note);

/// <summary>The repair a routine topic was handed over as, as far as the topic's readers need to follow it.</summary>
public sealed record TopicRepairView(long Id, string Status, string StatusName, DateTimeOffset UpdatedAt);

/// <param name="Author">As neighbours read it: "1栋 王**" for a resident, name and role for staff.</param>
/// <param name="Mine">The caller raised it (a resident sees their own held topic, marked held).</param>
public sealed record TopicView(long Id, long EstateId, string EstateName, string Title, string Body, string Kind, string KindName, string Status, string StatusName,
    bool Held, int Supporters, bool SupportedByMe, string Author, bool Mine, DateTimeOffset CreatedAt, string? ClassificationNote, DateTimeOffset? ClassifiedAt,
    string? Outcome, DateTimeOffset? DecidedAt, long? VoteId, long? RepairId, long? ServiceOrderId, TopicRepairView? Repair, int Comments,
    IReadOnlyList<TopicStepView> Timeline);

public sealed record TopicCommentView(long Id, long TopicId, DateTimeOffset At, string Author, string Text, bool Held, bool Mine, bool ByStaff);

/// <summary>A held comment waiting for review, with the topic it belongs to.</summary>
public sealed record HeldCommentView(long Id, long TopicId, string TopicTitle, long EstateId, DateTimeOffset At, string Author, string Text);

public sealed record TopicFilter(long? EstateId = null, TopicStatus? Status = null, TopicKind? Kind = null, bool? Held = null);

/// <summary>
/// Every read of topics, shared by the residents' API, the staff API and the console. What a caller sees is the
/// tenancy rule's (Topic: the estate's staff see all, its residents those not held, an author their own).
/// </summary>
public sealed class TopicQueries
{
    public async Task<Paged<TopicView>> ListAsync(NeighbourHubDbContext db, TopicFilter f, int page, int pageSize, CancellationToken ct)
    {
        var query = Filtered(db, f);
        var total = await query.LongCountAsync(ct);
        var rows = await query.OrderByDescending(t => t.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new Paged<TopicView>(await ViewsAsync(db, rows, ct), page, pageSize, total);
    }

    /// <summary>How many topics match, by status: the console's counters.</summary>
    public async Task<Dictionary<TopicStatus, int>> CountsAsync(NeighbourHubDbContext db, long? estateId, CancellationToken ct) =>
        (await db.Topics.AsNoTracking().Where(t => estateId == null || t.EstateId == estateId).GroupBy(t => t.Status)
            .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).ToDictionary(x => x.Key, x => x.Count);

    public async Task<TopicView> DetailAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var topic = await db.Topics.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotFoundException("议题");
        return (await ViewsAsync(db, [topic], ct))[0];
    }

    /// <summary>A topic's comments, oldest first: the caller sees the published ones, their own, and (staff) the held ones.</summary>
    public async Task<Paged<TopicCommentView>> CommentsAsync(NeighbourHubDbContext db, long topicId, int page, int pageSize, CancellationToken ct)
    {
        if (!await db.Topics.AnyAsync(t => t.Id == topicId, ct))
        {
            throw new NotFoundException("议题");
        }

        var me = db.Scope.Value.ResidentId;
        var query = db.TopicComments.AsNoTracking().Where(c => c.TopicId == topicId);
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(c => new TopicCommentView(c.Id, c.TopicId, c.CreatedAt, c.AuthorName, c.Text, c.Held, me != null && c.ResidentId == me, c.AdminId != null))
            .ToListAsync(ct);
        return new Paged<TopicCommentView>(items, page, pageSize, total);
    }

    /// <summary>Held comments in the caller's scope, oldest first: the review queue (待审核) beside held topics.</summary>
    public async Task<Paged<HeldCommentView>> HeldCommentsAsync(NeighbourHubDbContext db, long? estateId, int page, int pageSize, CancellationToken ct)
    {
        var query = from c in db.TopicComments.AsNoTracking()
                    join t in db.Topics on c.TopicId equals t.Id
                    where c.Held && (estateId == null || t.EstateId == estateId)
                    orderby c.CreatedAt, c.Id
                    select new HeldCommentView(c.Id, t.Id, t.Title, t.EstateId, c.CreatedAt, c.AuthorName, c.Text);
        return await query.ToPageAsync(page, pageSize, ct);
    }

    private static IQueryable<Topic> Filtered(NeighbourHubDbContext db, TopicFilter f) =>
        db.Topics.AsNoTracking().Where(t =>
            (f.EstateId == null || t.EstateId == f.EstateId)
            && (f.Status == null || t.Status == f.Status)
            && (f.Kind == null || t.Kind == f.Kind)
            && (f.Held == null || t.Held == f.Held));

    /// <summary>The views of a page of topics, with a handful of queries whatever the page's size.</summary>
    private static async Task<List<TopicView>> ViewsAsync(NeighbourHubDbContext db, IReadOnlyList<Topic> topics, CancellationToken ct)
    {
        if (topics.Count == 0)
        {
            return [];
        }

        var ids = topics.Select(t => t.Id).ToList();
        var estateIds = topics.Select(t => t.EstateId).Distinct().ToList();
        var repairIds = topics.Where(t => t.RepairId != null).Select(t => t.RepairId!.Value).ToList();
        var me = db.Scope.Value.ResidentId;
        var estates = await db.Estates.AsNoTracking().Unscoped(Because.DetailsOfARowInScope).Where(e => estateIds.Contains(e.Id))
            .ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        var supported = me is { } resident
            ? (await db.TopicSupports.AsNoTracking().Where(s => ids.Contains(s.TopicId) && s.ResidentId == resident).Select(s => s.TopicId).ToListAsync(ct)).ToHashSet()
            : [];
        var comments = await db.TopicComments.AsNoTracking().Where(c => ids.Contains(c.TopicId)).GroupBy(c => c.TopicId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var steps = (await db.TopicSteps.AsNoTracking().Where(s => ids.Contains(s.TopicId)).OrderBy(s => s.At).ThenBy(s => s.Id).ToListAsync(ct))
            .ToLookup(s => s.TopicId);
        // The repair is the topic's part: its readers follow its status, whoever reported it (nobody: staff handed it over).
        var repairs = repairIds.Count == 0 ? [] : await db.Repairs.AsNoTracking().Unscoped(Because.DetailsOfARowInScope).Where(r => repairIds.Contains(r.Id))
            .Select(r => new { r.Id, r.Status, r.UpdatedAt }).ToDictionaryAsync(r => r.Id, r => new TopicRepairView(r.Id, Repair.Wire(r.Status), StatusTexts.Of(r.Status), r.UpdatedAt), ct);

        return topics.Select(t =>
        {
            var repair = t.RepairId is { } rid ? repairs.GetValueOrDefault(rid) : null;
            var timeline = steps[t.Id].Select(s => new TopicStepView(s.At, s.Action, TopicTexts.Step(s.Action), s.Actor, s.Note)).ToList();
            if (repair is not null)
            {
                // The repair's latest state, never before the step that handed it over (made in the same moment).
                var handedOver = timeline.LastOrDefault(s => s.Action == "handed_over")?.At ?? repair.UpdatedAt;
                var at = repair.UpdatedAt > handedOver ? repair.UpdatedAt : handedOver;
                timeline.Add(new TopicStepView(at, "repair_status", TopicTexts.Step("repair_status"), "受托物业", $"报修单 #{repair.Id}：{repair.StatusName}"));
                timeline = timeline.OrderBy(s => s.At).ToList();
            }

            return new TopicView(t.Id, t.EstateId, estates.GetValueOrDefault(t.EstateId, ""), t.Title, t.Body, TopicTexts.Wire(t.Kind), TopicTexts.Name(t.Kind),
                TopicTexts.Wire(t.Status), TopicTexts.Name(t.Status), t.Held, t.Supporters, supported.Contains(t.Id), t.AuthorName,
                me != null && t.AuthorResidentId == me, t.CreatedAt, t.ClassificationNote, t.ClassifiedAt, t.Outcome, t.DecidedAt, t.VoteId, t.RepairId,
                t.ServiceOrderId, repair, comments.GetValueOrDefault(t.Id), timeline);
        }).ToList();
    }
}
