using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

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

/// <summary>
/// The one writer of notices (公告): staff through the API and the console, and other features (a vote's announcement
/// and its results) inside their own transactions.
/// </summary>
public sealed class NoticeBoard(TimeProvider clock)
{
    /// <summary>
    /// Adds the notice and its attachments to the context; the caller saves them with its own changes, so a notice
    /// another feature posts commits or fails with that feature's change.
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
            PublishAt = draft.PublishAt,
            KeepUntil = draft.KeepUntil,
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
